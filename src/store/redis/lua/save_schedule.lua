#!lua
-- WriteGroup::insert_schedule and update_schedule. ARGV: 'insert' or 'update', the name, the
-- record, then paused, next_run_at, last_run_at, updated_at and last_job_id (common.lua); for
-- an update, the next_run_at it read, which must still be the stored one (no run fired since:
-- another node's, as the writes of a group do not isolate). Answers {'ok'}.
local mode, name = ARGV[1], ARGV[2]
local key = schedule_key(name)
local exists = redis.call('EXISTS', key) == 1
if mode == 'insert' and exists then
  return err('conflict', 'a schedule named ' .. name .. ' exists', 'name')
end
if mode == 'update' and not exists then return err('not_found', 'no schedule named ' .. name) end
if mode == 'update' and redis.call('HGET', key, 'next_run_at') ~= ARGV[9] then
  return err('conflict', 'schedule ' .. name .. ' has fired since it was read')
end
redis.call('HSET', key, 'record', ARGV[3], 'paused', ARGV[4], 'next_run_at', ARGV[5],
           'last_run_at', ARGV[6], 'updated_at', ARGV[7], 'last_job_id', ARGV[8])
redis.call('ZADD', P .. 'schedules', 0, name)
index_schedule(name, ARGV[5], ARGV[4])
return {'ok'}
