#!lua
-- WriteGroup::submit. ARGV: n, then per job a field count k and k field/value pairs (every field
-- but status and seq, those at their zero left out). All-or-nothing: every dependency is checked before any job is stored.
-- Answers {'ok', {created, job}...}.
local jobs, at = {}, 2
for i = 1, num(ARGV[1]) do
  local j = {}
  for _ = 1, num(ARGV[at]) do
    j[ARGV[at + 1]] = ARGV[at + 2]
    at = at + 2
  end
  at = at + 1
  jobs[i] = job_table(j)
end
for _, j in ipairs(jobs) do
  for _, dep in ipairs(list_of(j.depends_on)) do
    local status = redis.call('HGET', job_key(dep), 'status')
    if not status then return err('invalid_argument', 'no job with id ' .. dep, 'depends_on') end
    if status == 'failed' or status == 'cancelled' then
      return err('conflict', 'dependency ' .. dep .. ' is ' .. status, 'depends_on')
    end
  end
end
local out = {'ok'}
for _, j in ipairs(jobs) do
  local live = j.idempotency_key ~= '' and redis.call('HGET', P .. 'keys', j.idempotency_key)
  if live then
    out[#out + 1] = {0, flat(load(live))}
  else
    local pending = false
    for _, dep in ipairs(list_of(j.depends_on)) do
      if redis.call('HGET', job_key(dep), 'status') ~= 'completed' then
        pending = true
        redis.call('SADD', P .. 'dependents:' .. dep, j.id)
      end
    end
    j.status = pending and 'waiting' or ready_status(j, j.created_at)
    j.seq = int(redis.call('INCR', P .. 'seq'))
    insert(j)
    out[#out + 1] = {1, flat(j)}
  end
end
return out
