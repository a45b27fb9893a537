#!lua
-- A node that closes its store gives the sweeps' lock back, so that another takes it at once.
-- ARGV: this node's id.
local key = P .. 'sweeper'
if redis.call('GET', key) == ARGV[1] then redis.call('DEL', key) end
return {'ok'}
