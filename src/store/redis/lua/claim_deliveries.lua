#!lua
-- WriteGroup::claim_deliveries. ARGV: now, hold_ms, then a fresh token for each delivery it may
-- claim (Lua has no good random source), as many as the most it claims. Answers
-- {'ok', fields...}: each claimed delivery's fields, soonest due first.
local now = ARGV[1]
local held = int(num(now) + num(ARGV[2]))
local ids = redis.call('ZRANGEBYSCORE', P .. 'deliveries:due', '-inf', now, 'LIMIT', 0, #ARGV - 2)
local out = {'ok'}
for i, id in ipairs(ids) do
  local d = load_delivery(id)
  d.token, d.attempts, d.next_at, d.updated_at = ARGV[2 + i], int(num(d.attempts) + 1), held, now
  -- Still pending: only its place among the due ones moves.
  redis.call('HSET', delivery_key(id), 'token', d.token, 'attempts', d.attempts, 'next_at', held,
             'updated_at', now)
  redis.call('ZADD', P .. 'deliveries:due', held, id)
  out[#out + 1] = delivery_flat(d)
end
return out
