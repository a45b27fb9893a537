#!lua
-- WriteGroup::trim_dead_letters. ARGV: cap, queue ('' for every queue). Removes the oldest
-- failed jobs beyond the cap. Answers {'ok', job...}.
local cap, queue = num(ARGV[1]), ARGV[2]
local set = queue == '' and P .. 'dead' or dead_key(queue)
local out = {'ok'}
local over = redis.call('ZCARD', set) - cap
if over > 0 then
  for _, member in ipairs(redis.call('ZRANGE', set, 0, over - 1)) do
    local j = load(id_of(member))
    out[#out + 1] = flat(j)
    erase(j)
  end
end
return out
