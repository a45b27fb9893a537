#!lua
-- WriteGroup::update: the priority and run_at of a job not started yet. ARGV: id, now, then
-- priority and run_at, each '' when not given.
local id, now, priority, run_at = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local before = load(id)
if not before then return not_found(id) end
local s = before.status
if s ~= 'waiting' and s ~= 'scheduled' and s ~= 'queued' then
  return err('conflict', 'job ' .. id .. ' is ' .. s .. '; only jobs not started yet can be changed')
end
local j = copy(before)
if priority ~= '' then j.priority = priority end
if run_at ~= '' then
  j.run_at = run_at
  if j.status ~= 'waiting' then
    local to = ready_status(j, now)
    if to ~= j.status then
      local e = transition(j, to)
      if e then return e end
    end
  end
end
j.updated_at = now
save(before, j)
return {'ok', flat(j)}
