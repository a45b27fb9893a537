#!lua flags=no-writes
-- Store::stats. ARGV: how many recent runs. Answers {'ok', counts, runs}: counts is the flat
-- hash of JSON [queue, type, status] to a count; runs are {type, run_ms, succeeded}, newest
-- first, of finished attempts that ran (not cancelled ones).
local recent = num(ARGV[1])
local runs = {}
local offset = 0
while #runs < recent do
  local members = redis.call('ZREVRANGE', P .. 'finished', offset, offset + 199)
  if #members == 0 then break end
  offset = offset + #members
  for _, m in ipairs(members) do
    if #runs >= recent then break end
    local r = redis.call('HMGET', job_key(id_of(m)), 'type', 'started_at', 'completed_at', 'status')
    if num(r[2]) ~= 0 and r[4] ~= 'cancelled' then
      runs[#runs + 1] = {r[1], int(num(r[3]) - num(r[2])), r[4] == 'completed' and 1 or 0}
    end
  end
end
return {'ok', redis.call('HGETALL', P .. 'counts'), runs}
