#!lua
-- WriteGroup::cancel. ARGV: id, now, retention (4). Answers {'ok', job, dependents}.
local id, now, retention = ARGV[1], ARGV[2], retention_at(3)
local before = load(id)
if not before then return not_found(id) end
local j = copy(before)
local e = cancel(j, now, retention)
if e then return e end
save(before, j)
return finished_reply(j, now, retention)
