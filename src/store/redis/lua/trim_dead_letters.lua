#!lua
-- WriteGroup::trim_dead_letters. ARGV: cap, queue ('' for every queue), limit. Removes the
-- oldest failed jobs beyond the cap, at most limit of them. Answers {'ok', job...}.
local cap, queue, limit = num(ARGV[1]), ARGV[2], num(ARGV[3])
local set = queue == '' and P .. 'dead' or dead_key(queue)
local out = {'ok'}
local over = math.min(redis.call('ZCARD', set) - cap, limit)
if over > 0 then
  for _, member in ipairs(redis.call('ZRANGE', set, 0, over - 1)) do
    local j = load(id_of(member))
    if j then
      out[#out + 1] = flat(j)
      erase(j)
    else
      -- A member whose job a node of layout 1 removed without knowing this set.
      redis.call('ZREM', set, member)
    end
  end
end
return out
