#!lua
-- WriteGroup::take_quota. ARGV: key, count, period_ms, n, now. The bucket is the hash
-- P..'quotas' field key, "at,rem" (common.lua's gate, src/core/rate_bucket.cpp), and the key in
-- the set P..'quotas:by-at' scored by at (purge_quotas.lua). Answers
-- {'ok', wait}: '0' when taken, else the ms until there is room ('-1': never).
local count, period, n, now = num(ARGV[2]), num(ARGV[3]), num(ARGV[4]), num(ARGV[5])
local l = {0, count, period, 0, 0}
local was = redis.call('HGET', P .. 'quotas', ARGV[1])
if was then
  local at, rem = string.match(was, '^(%d+),(%d+)$')
  l[4], l[5] = tonumber(at), tonumber(rem)
end
local after = deficit(l, now) + n * period
if after <= period * count then
  local at = now + math.floor(after / count)
  redis.call('HSET', P .. 'quotas', ARGV[1], int(at) .. ',' .. int(after % count))
  redis.call('ZADD', P .. 'quotas:by-at', at, ARGV[1])
  return {'ok', '0'}
end
if n > count then return {'ok', '-1'} end
local over = after - period * count
return {'ok', int(math.floor((over + count - 1) / count))}
