#!lua
-- WriteGroup::fail. ARGV: id, token, now, retention (3), then the failure: then, retry_at,
-- count_attempt ('0'/'1'), the error as JSON. Answers {'ok', job, dependents}.
local id, token, now, retention = ARGV[1], ARGV[2], ARGV[3], retention_at(4)
local failure = {then_ = ARGV[7], retry_at = ARGV[8], count_attempt = ARGV[9], error_json = ARGV[10]}
local before = load(id)
if not before then return not_found(id) end
local e = check_lease(before, token)
if e then return e end
local j = copy(before)
e = fail(j, failure, now, retention)
if e then return e end
save(before, j)
return finished_reply(j, now, retention)
