#!lua
-- At open: the keys jobq keeps under the prefix hold what jobq keeps there (nobody else uses the
-- prefix), and they were written by this version of the layout, or by an earlier one, which it
-- upgrades step by step. ARGV: the layout's version. Marks an empty prefix as jobq's. Answers {'ok'}.
local kinds = {seq = 'string', schema = 'string', sweeper = 'string', paused = 'set',
               counts = 'hash', keys = 'hash', all = 'zset', scheduled = 'zset', running = 'zset',
               deadlines = 'zset', finished = 'zset', expiring = 'zset', dead = 'zset',
               ['by-updated'] = 'zset', ['by-priority'] = 'zset', workers = 'zset',
               schedules = 'zset', ['schedules:due'] = 'zset', limits = 'hash', busy = 'hash',
               ['busy:users'] = 'hash', quotas = 'hash',
               ['quotas:by-at'] = 'zset', deliveries = 'zset', ['deliveries:pending'] = 'zset',
               ['deliveries:dead'] = 'zset', ['deliveries:due'] = 'zset',
               ['deliveries:died'] = 'zset', ['webhooks:owed'] = 'zset',
               ['webhooks:hooked'] = 'string'}
local function refuse(why)
  return err('invalid_argument', why .. ': another program seems to use the key prefix "' .. P ..
             '"; give jobq a prefix of its own (--redis-prefix)', 'redis_prefix')
end
for name, kind in pairs(kinds) do
  local found = redis.call('TYPE', P .. name)['ok']
  if found ~= 'none' and found ~= kind then
    return refuse('the key ' .. P .. name .. ' is a ' .. found .. ', where jobq keeps a ' .. kind)
  end
end
local seq = redis.call('GET', P .. 'seq')
if seq and not tonumber(seq) then return refuse('the key ' .. P .. 'seq is not a number') end
local schema = redis.call('GET', P .. 'schema')
if schema == '1' then
  -- Layout 2 adds each queue's own dead-letter set (common.lua's dead_key).
  local dead = redis.call('ZRANGE', P .. 'dead', 0, -1, 'WITHSCORES')
  for i = 1, #dead, 2 do
    local queue = redis.call('HGET', job_key(id_of(dead[i])), 'queue')
    if queue then redis.call('ZADD', dead_key(queue), dead[i + 1], dead[i]) end
  end
  redis.call('SET', P .. 'schema', '2')
  schema = '2'
end
if schema == '2' then
  -- Layout 3 counts running jobs per queue and per type, for the limits: the step to layout 5
  -- below counts them, as layout 5 keeps them.
  redis.call('SET', P .. 'schema', '3')
  schema = '3'
end
if schema == '3' then
  -- Layout 4 keeps, for the users' running caps, each capped user's ready jobs in a set of its
  -- own with only its best one in the queue and type's ready set (common.lua's ready_key), and
  -- counts running jobs per user (count_user_busy). Every queued job of a capped user leaves the
  -- ready set and joins its ready sets anew.
  local fields = {'queue', 'type', 'priority', 'seq', 'tier', 'user_id'}
  local function job_fields(id)
    local got = redis.call('HMGET', job_key(id), unpack(fields))
    if not got[1] then return nil end
    local j = {id = id}
    for i, name in ipairs(fields) do if got[i] then j[name] = got[i] end end
    return job_table(j)
  end
  local from = 0
  while true do
    local ids = redis.call('ZRANGE', P .. 'status:queued', from, from + 999)
    for _, id in ipairs(ids) do
      local j = job_fields(id)
      if j and cap_key(j) ~= '' then
        redis.call('ZREM', ready_key(j.queue, j.type), j.id)
        ready_add(j)
      end
    end
    if #ids < 1000 then break end
    from = from + 1000
  end
  from = 0
  while true do
    local members = redis.call('ZRANGE', P .. 'running', from, from + 999)
    for _, member in ipairs(members) do
      local j = job_fields(id_of(member))
      if j then count_user_busy(j, 1) end
    end
    if #members < 1000 then break end
    from = from + 1000
  end
  redis.call('SET', P .. 'schema', '4')
  schema = '4'
end
if schema == '4' then
  -- Layout 5 counts running jobs per queue and per type only while some limit is set
  -- (common.lua's count_busy): counted anew if there is one, dropped if not.
  if limited() then count_running_busy() else redis.call('DEL', P .. 'busy') end
  redis.call('SET', P .. 'schema', '5')
  schema = '5'
end
if schema and schema ~= ARGV[1] then
  return err('invalid_argument', 'the jobs under the prefix "' .. P .. '" were written by another ' ..
             'version of jobq (layout ' .. schema .. '; this one reads layout ' .. ARGV[1] .. ')',
             'redis_prefix')
end
if not schema then redis.call('SET', P .. 'schema', ARGV[1]) end
return {'ok'}
