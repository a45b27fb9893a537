#!lua flags=no-writes
-- Store::list_schedules and due_schedules. ARGV: 'all'; or 'due', now and the most to answer.
-- Answers {'ok', fields...}: each schedule's hash (common.lua), by name or soonest first.
local names
if ARGV[1] == 'due' then
  names = redis.call('ZRANGEBYSCORE', P .. 'schedules:due', '(0', ARGV[2], 'LIMIT', 0, ARGV[3])
else
  names = redis.call('ZRANGE', P .. 'schedules', 0, -1)
end
local out = {'ok'}
for _, name in ipairs(names) do out[#out + 1] = redis.call('HGETALL', schedule_key(name)) end
return out
