#!lua
-- Store::claim_sweeps: the lock with expiry that lets one node at a time run the time-driven work.
-- ARGV: this node's id, the lock's time to live in ms (judged by Redis' own clock). The holder
-- renews it; anyone takes it once it has expired. Answers {'ok', 1} if this node holds it now.
local key, node, ttl = P .. 'sweeper', ARGV[1], ARGV[2]
local holder = redis.call('GET', key)
if holder == node then
  redis.call('PEXPIRE', key, ttl)
  return {'ok', 1}
end
if not holder then
  redis.call('SET', key, node, 'PX', ttl)
  return {'ok', 1}
end
return {'ok', 0}
