#!lua
-- WriteGroup::purge_expired. ARGV: now, limit. Removes finished jobs whose expires_at has come.
-- Answers {'ok', job...}.
local now, limit = ARGV[1], num(ARGV[2])
local out = {'ok'}
for _, member in ipairs(redis.call('ZRANGEBYSCORE', P .. 'expiring', '-inf', now, 'LIMIT', 0, limit)) do
  local j = load(id_of(member))
  out[#out + 1] = flat(j)
  erase(j)
end
return out
