#!lua
-- WriteGroup::fire_schedule, as one step: the fence, the runs' submit and the schedule's move,
-- so that no crash keeps a run without the move or the move without its run. ARGV: the name, the
-- due time it must still have, the next_run_at and last_run_at it moves to, now; then the jobs
-- from ARGV[6] on, as submit.lua takes them. Answers as submit.lua.
local name = ARGV[1]
local key = schedule_key(name)
local seen = redis.call('HMGET', key, 'next_run_at', 'paused')
if not seen[1] then return err('not_found', 'no schedule named ' .. name) end
if num(seen[1]) ~= num(ARGV[2]) then
  return err('conflict', 'schedule ' .. name .. ' has fired already')
end
if seen[2] == '1' then return err('conflict', 'schedule ' .. name .. ' is paused') end
-- submit_jobs writes nothing when it answers an error, so neither does this.
local out, last = submit_jobs(6)
if is_err(out) then return out end
redis.call('HSET', key, 'next_run_at', ARGV[3], 'last_run_at', ARGV[4], 'updated_at', ARGV[5])
if last then redis.call('HSET', key, 'last_job_id', last) end
index_schedule(name, ARGV[3], seen[2])
return out
