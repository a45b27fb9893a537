#!lua
-- WriteGroup::retry_where. ARGV: the filter as JSON, now. Retries every failed or cancelled job
-- it matches, in submit order. Answers {'ok', job...}.
local filter, now = cjson.decode(ARGV[1]), ARGV[2]
local hits = {}
for _, status in ipairs({'failed', 'cancelled'}) do
  local members = redis.call('ZRANGE', P .. 'status:' .. status, 0, -1, 'WITHSCORES')
  for i = 1, #members, 2 do hits[#hits + 1] = {members[i], num(members[i + 1])} end
end
table.sort(hits, function(a, b) return a[2] < b[2] end)
local out = {'ok'}
for _, hit in ipairs(hits) do
  local before = load(hit[1])
  if matches(before, filter) then
    local j = copy(before)
    if not retry(j, now) then
      save(before, j)
      out[#out + 1] = flat(j)
    end
  end
end
return out
