#!lua
-- WriteGroup::remove_schedule. ARGV: the name. Answers {'ok', fields}: the removed schedule's
-- hash, as HGETALL reads it.
local name = ARGV[1]
local key = schedule_key(name)
local fields = redis.call('HGETALL', key)
if #fields == 0 then return err('not_found', 'no schedule named ' .. name) end
redis.call('DEL', key)
redis.call('ZREM', P .. 'schedules', name)
redis.call('ZREM', P .. 'schedules:due', name)
return {'ok', fields}
