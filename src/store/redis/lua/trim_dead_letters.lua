#!lua
-- WriteGroup::trim_dead_letters. ARGV: cap. Removes the oldest failed jobs beyond it.
-- Answers {'ok', job...}.
local cap = num(ARGV[1])
local out = {'ok'}
local over = redis.call('ZCARD', P .. 'dead') - cap
if over > 0 then
  for _, member in ipairs(redis.call('ZRANGE', P .. 'dead', 0, over - 1)) do
    local j = load(id_of(member))
    out[#out + 1] = flat(j)
    erase(j)
  end
end
return out
