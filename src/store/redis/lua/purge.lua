#!lua
-- WriteGroup::purge. ARGV: before, limit, then the statuses. Removes finished jobs with one of
-- the statuses that finished before `before`, oldest first. Answers {'ok', job...}.
local before, limit = ARGV[1], num(ARGV[2])
local wanted = {}
for i = 3, #ARGV do wanted[ARGV[i]] = true end
local out = {'ok'}
local skipped = 0
while #out - 1 < limit do
  local members = redis.call('ZRANGEBYSCORE', P .. 'finished', '-inf', '(' .. before, 'LIMIT',
                             skipped, 100)
  if #members == 0 then break end
  for _, member in ipairs(members) do
    if #out - 1 >= limit then break end
    local j = load(id_of(member))
    if wanted[j.status] then
      out[#out + 1] = flat(j)
      erase(j)
    else
      skipped = skipped + 1
    end
  end
end
return out
