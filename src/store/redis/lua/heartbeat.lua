#!lua
-- WriteGroup::heartbeat: record_progress in src/core/transitions.cpp. ARGV: id, token, now, then
-- progress, message, stage, processed_items, total_items, each with a flag before it ('1': set).
local id, token, now = ARGV[1], ARGV[2], ARGV[3]
local before = load(id)
if not before then return not_found(id) end
local e = check_lease(before, token)
if e then return e end
local j = copy(before)
local function given(i) return ARGV[i] == '1' and ARGV[i + 1] or nil end
local progress, message, stage = given(4), given(6), given(8)
local processed, total = given(10), given(12)
if message then j.progress_message = message end
if stage then j.stage = stage end
if processed then j.processed_items = processed end
if total then j.total_items = total end
if progress then
  j.progress = progress
elseif j.processed_items ~= '' and j.total_items ~= '' and num(j.total_items) > 0 then
  j.progress = real(math.min(100, math.max(0, 100 * num(j.processed_items) / num(j.total_items))))
end
j.lease_expires_at = int(num(now) + num(j.lease_ms))
j.updated_at = now
save(before, j)
return {'ok', flat(j)}
