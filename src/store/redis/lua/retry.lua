#!lua
-- WriteGroup::retry. ARGV: id, now. Answers {'ok', job}.
local id, now = ARGV[1], ARGV[2]
local before = load(id)
if not before then return not_found(id) end
local j = copy(before)
local e = retry(j, now)
if e then return e end
save(before, j)
return {'ok', flat(j)}
