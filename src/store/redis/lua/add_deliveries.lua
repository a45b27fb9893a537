#!lua
-- WriteGroup::add_deliveries. ARGV: a count and the ids of the jobs whose ends they report (which
-- owe no more webhooks: save() in common.lua), then the deliveries, one after another, each as
-- common.lua's delivery_at reads it. Answers {'ok'}.
local ended = num(ARGV[1])
for k = 2, ended + 1 do redis.call('ZREM', P .. 'webhooks:owed', ARGV[k]) end
local i = ended + 2
while i <= #ARGV do
  local d
  d, i = delivery_at(i)
  put_delivery(d)
end
return {'ok'}
