#!lua
-- WriteGroup::remove_delivery. ARGV: the id. Answers {'ok', fields}: the removed delivery.
local d = load_delivery(ARGV[1])
if not d then return delivery_not_found(ARGV[1]) end
drop_delivery(d)
return {'ok', delivery_flat(d)}
