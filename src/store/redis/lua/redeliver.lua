#!lua
-- WriteGroup::redeliver. ARGV: the id, now. Answers {'ok', fields}: the delivery, pending again.
local id, now = ARGV[1], ARGV[2]
local d = load_delivery(id)
if not d then return delivery_not_found(id) end
if d.status ~= 'dead' then
  return err('conflict', 'webhook delivery ' .. id .. ' is pending; only a dead one is retried')
end
d.status, d.attempts, d.next_at, d.updated_at, d.token = 'pending', '0', now, now, ''
put_delivery(d)
return {'ok', delivery_flat(d)}
