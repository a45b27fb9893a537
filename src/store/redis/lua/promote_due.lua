#!lua
-- WriteGroup::promote_due. ARGV: now, limit. Scheduled jobs due by now become queued, earliest
-- first. Answers {'ok', job...}.
local now, limit = ARGV[1], num(ARGV[2])
local out = {'ok'}
for _, member in ipairs(redis.call('ZRANGEBYSCORE', P .. 'scheduled', '-inf', now, 'LIMIT', 0, limit)) do
  local before = load(id_of(member))
  local j = copy(before)
  local e = transition(j, 'queued')
  if e then return e end
  j.updated_at = now
  save(before, j)
  out[#out + 1] = flat(j)
end
return out
