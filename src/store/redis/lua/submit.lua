#!lua
-- WriteGroup::submit: common.lua's submit_jobs, the jobs from ARGV[1] on.
-- Answers {'ok', {created, job}...}.
return (submit_jobs(1))  -- the reply only, not the last id
