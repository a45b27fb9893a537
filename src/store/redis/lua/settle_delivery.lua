#!lua
-- WriteGroup::settle_delivery. ARGV: the id, the claim's token, then the delivery to store in its
-- place (as common.lua's delivery_at reads it), or nothing: it was delivered. Answers {'ok'}.
local id, token = ARGV[1], ARGV[2]
local d = load_delivery(id)
if not d then return delivery_not_found(id) end
if d.token == '' or d.token ~= token then
  return err('conflict', 'webhook delivery ' .. id .. ' was claimed again')
end
if #ARGV > 2 then
  put_delivery((delivery_at(3)))
else
  drop_delivery(d)
end
return {'ok'}
