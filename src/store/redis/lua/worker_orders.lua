#!lua
-- WorkerBook::scale and ::command. ARGV: id, then 'concurrency' and a number, or 'command' and
-- run, quiet or stop (a stop is final). Answers {'ok', worker}.
local id, what, value = ARGV[1], ARGV[2], ARGV[3]
local key = P .. 'worker:' .. id
if redis.call('EXISTS', key) == 0 then return err('not_found', 'no worker with id ' .. id) end
if what == 'concurrency' then
  redis.call('HSET', key, 'concurrency', value)
elseif redis.call('HGET', key, 'command') ~= 'stop' then
  redis.call('HSET', key, 'command', value)
end
return {'ok', redis.call('HGETALL', key)}
