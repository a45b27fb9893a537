#!lua
-- WriteGroup::fail. ARGV: id, token, now, retention (4), then the failure: then, retry_at,
-- count_attempt ('0'/'1'), the error as JSON. Answers {'ok', job, dependents}.
local id, token, now, retention = ARGV[1], ARGV[2], ARGV[3], retention_at(4)
local failure = {then_ = ARGV[8], retry_at = ARGV[9], count_attempt = ARGV[10], error_json = ARGV[11]}
local before = load(id)
if not before then return not_found(id) end
local e = check_lease(before, token)
if e then return e end
local j = copy(before)
e = fail(j, failure, now, retention)
if e then return e end
save(before, j)
return finished_reply(j, now, retention)
