#!lua
-- WorkerBook::beat. ARGV: id, beat, concurrency, now, forget_before. A worker is the hash
-- <prefix>worker:<id>; <prefix>workers orders them by last beat. Answers {'ok', worker}.
local id, beat, concurrency, now, forget_before = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
forget_workers(forget_before)
local key = P .. 'worker:' .. id
if redis.call('EXISTS', key) == 0 then
  redis.call('HSET', key, 'id', id, 'command', 'run', 'concurrency', concurrency,
             'first_seen_at', now)
end
redis.call('HSET', key, 'beat', beat, 'last_beat_at', now)
redis.call('ZADD', P .. 'workers', now, id)
return {'ok', redis.call('HGETALL', key)}
