#!lua
-- WriteGroup::complete_many. ARGV: now, retention (4), n, then per completion id, token, result.
-- Answers {'ok', item...}, each item {'ok', job, dependents} or an error of its own.
local now, retention = ARGV[1], retention_at(2)
local out = {'ok'}
for i = 0, num(ARGV[6]) - 1 do
  local id, token, result = ARGV[7 + 3 * i], ARGV[8 + 3 * i], ARGV[9 + 3 * i]
  local before = load(id)
  local e
  if not before then
    e = not_found(id)
  else
    e = check_lease(before, token)
  end
  local j
  if not e then
    j = copy(before)
    e = complete(j, result, now, retention)
  end
  if e then
    out[#out + 1] = e
  else
    save(before, j)
    out[#out + 1] = finished_reply(j, now, retention)
  end
end
return out
