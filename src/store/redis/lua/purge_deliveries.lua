#!lua
-- WriteGroup::purge_deliveries. ARGV: before, limit. Drops the dead deliveries last updated
-- before `before`, the oldest first. Answers {'ok', how many}.
local ids = redis.call('ZRANGEBYSCORE', P .. 'deliveries:died', '-inf', '(' .. ARGV[1], 'LIMIT', 0, num(ARGV[2]))
for _, id in ipairs(ids) do
  local d = load_delivery(id)
  if d then drop_delivery(d) else redis.call('ZREM', P .. 'deliveries:died', id) end
end
return {'ok', int(#ids)}
