#!lua flags=no-writes
-- Store::limits. Answers {'ok', scope, name, max_running, count, period_ms, ...}.
local all = redis.call('HGETALL', P .. 'limits')
local out = {'ok'}
for i = 1, #all, 2 do
  local colon = string.find(all[i], ':', 1, true)
  local l = parse_limit(all[i + 1])
  out[#out + 1] = string.sub(all[i], 1, colon - 1)
  out[#out + 1] = string.sub(all[i], colon + 1)
  out[#out + 1] = int(l[1])
  out[#out + 1] = int(l[2])
  out[#out + 1] = int(l[3])
end
return out
