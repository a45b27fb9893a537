#!lua
-- WriteGroup::add_deliveries. ARGV: the deliveries, one after another, each as common.lua's
-- delivery_at reads it. Answers {'ok'}.
local i = 1
while i <= #ARGV do
  local d
  d, i = delivery_at(i)
  put_delivery(d)
end
return {'ok'}
