#!lua
-- WriteGroup::set_limits. ARGV: scope, name, max_running, starts count, starts period_ms (all 0:
-- no limits). A rate that stays keeps its bucket (common.lua's gate). Answers {'ok'}.
local field = ARGV[1] .. ':' .. ARGV[2]
local l = {num(ARGV[3]), num(ARGV[4]), num(ARGV[5]), 0, 0}
if l[1] == 0 and l[2] == 0 then
  redis.call('HDEL', P .. 'limits', field)
  if redis.call('EXISTS', P .. 'limits') == 0 then redis.call('DEL', P .. 'busy') end
  return {'ok'}
end
-- The first limit: the running jobs were not counted without one (common.lua's count_busy).
if redis.call('EXISTS', P .. 'limits') == 0 then count_running_busy() end
local was = redis.call('HGET', P .. 'limits', field)
if was then
  was = parse_limit(was)
  if was[2] == l[2] and was[3] == l[3] then l[4], l[5] = was[4], was[5] end
end
redis.call('HSET', P .. 'limits', field, limit_text(l))
return {'ok'}
