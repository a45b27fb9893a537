#!lua
-- WorkerBook::list. ARGV: forget_before. Answers {'ok', worker...}, by id.
forget_workers(ARGV[1])
local out = {'ok'}
local ids = redis.call('ZRANGE', P .. 'workers', 0, -1)
table.sort(ids)
for _, id in ipairs(ids) do out[#out + 1] = redis.call('HGETALL', P .. 'worker:' .. id) end
return out
