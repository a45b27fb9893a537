#!lua flags=no-writes
-- Store::overdue. ARGV: now, limit. Running jobs whose lease has expired or whose hard timeout
-- has passed, in submit order. Answers {'ok', job...}.
local now, limit = ARGV[1], num(ARGV[2])
local seen, members = {}, {}
for _, set in ipairs({'running', 'deadlines'}) do
  for _, m in ipairs(redis.call('ZRANGEBYSCORE', P .. set, '-inf', now, 'LIMIT', 0, limit)) do
    if not seen[m] then
      seen[m] = true
      members[#members + 1] = m
    end
  end
end
table.sort(members)
local out = {'ok'}
for i = 1, math.min(#members, limit) do out[#out + 1] = flat(load(id_of(members[i]))) end
return out
