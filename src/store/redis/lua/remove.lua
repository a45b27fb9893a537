#!lua
-- WriteGroup::remove: one finished job. ARGV: id. Answers {'ok', job}.
local id = ARGV[1]
local j = load(id)
if not j then return not_found(id) end
if not TERMINAL[j.status] then
  return err('conflict', 'job ' .. id .. ' is ' .. j.status .. '; cancel it first')
end
erase(j)
return {'ok', flat(j)}
