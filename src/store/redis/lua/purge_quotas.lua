#!lua
-- WriteGroup::purge_quotas. ARGV: now, limit. Drops the quota buckets full again before now.
-- Answers {'ok', how many}.
local keys = redis.call('ZRANGEBYSCORE', P .. 'quotas:by-at', '-inf', '(' .. ARGV[1], 'LIMIT', 0, num(ARGV[2]))
for _, key in ipairs(keys) do
  redis.call('HDEL', P .. 'quotas', key)
  redis.call('ZREM', P .. 'quotas:by-at', key)
end
return {'ok', int(#keys)}
