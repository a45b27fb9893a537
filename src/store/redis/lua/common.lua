-- Shared by every script: the C++ side loads it once, after the state table (ALLOWED, generated
-- from src/core/job_state.cpp), as the top of the Redis function library in which every script
-- is a function (src/store/redis/scripts.cpp). It mirrors src/core/transitions.cpp and
-- src/store/dependents.cpp step for step; the conformance suite (tests/store) holds the two to
-- each other.
--
-- A job is the hash P..'job:'..id, every value a string; booleans are '0'/'1', absent optional
-- numbers ''. A script answers {'ok', ...} or {'err', code, message, field}.

-- Set by each function as it starts: the prefix (its one key) and its arguments, and LIMITED
-- forgotten (limited() reads it again). Redis runs one function at a time, so the library's
-- functions may share them. (This top level runs once, when Redis loads the library, where only
-- redis.register_function may be called: no ipairs, no string library.)
local P, ARGV, LIMITED

local function job_key(id) return P .. 'job:' .. id end
local function num(s) return tonumber(s) or 0 end
local function int(n) return string.format('%d', n) end
local function real(n) return string.format('%.17g', n) end
local function err(code, message, field) return {'err', code, message, field or ''} end
local function is_err(r) return type(r) == 'table' and r[1] == 'err' end

local TERMINAL = {completed = true, failed = true, cancelled = true}

local function list_of(text)
  if text == nil or text == '' then return {} end
  return cjson.decode(text)
end

-- Time-ordered sets hold "<seq, 15 digits>:<id>", so that jobs at the same time keep submit
-- order, as (time, seq) pairs do in the memory store.
local function timed(j) return string.format('%015d', num(j.seq)) .. ':' .. j.id end
local function id_of(member) return string.sub(member, 17) end

-- Ready jobs: one set per queue and type, best first: priority descending, then seq. It holds
-- every ready job no user cap applies to (cap_key '') and, of each capped user, only the best
-- one, its head; the user's ready jobs are all in its own set of the queue and type
-- (user_ready_key), by the same score. So a lease takes the top of the set as it always did, and
-- one that passes over users at their cap looks at one job per such user, never at all of their
-- jobs (src/store/ready_index.h, as the memory store keeps it).
local function ready_key(queue, type) return P .. 'ready:' .. #queue .. ':' .. queue .. ':' .. type end
local function user_ready_key(queue, type, user)
  return P .. 'ready-user:' .. #queue .. ':' .. queue .. ':' .. #type .. ':' .. type .. ':' .. user
end
local function types_key(queue) return P .. 'types:' .. queue end
-- A queue's failed jobs by completed_at (what P..'dead' holds for all queues): its own cap.
local function dead_key(queue) return P .. 'dead:' .. #queue .. ':' .. queue end
local function ready_score(j) return (100 - num(j.priority)) * 70368744177664 + num(j.seq) end  -- 2^46
local function priority_score(j) return num(j.priority) * 70368744177664 + num(j.seq) end

-- Whether any queue or type has limits (the hash P..'limits', below), read once per function.
local function limited()
  if LIMITED == nil then LIMITED = redis.call('EXISTS', P .. 'limits') == 1 end
  return LIMITED
end

-- Running jobs per queue and per type, for the limits: the hash P..'busy', fields
-- 'queue:'..name and 'type:'..name. Kept only while there are limits, which is when it is read:
-- two calls less for each job that starts and each that ends. The first limit counts the running
-- jobs anew (count_running_busy); the last one's removal drops the hash.
local function add_busy(queue, type, delta)
  for _, field in ipairs({'queue:' .. queue, 'type:' .. type}) do
    if redis.call('HINCRBY', P .. 'busy', field, delta) <= 0 then redis.call('HDEL', P .. 'busy', field) end
  end
end

local function count_busy(j, delta)
  if limited() then add_busy(j.queue, j.type, delta) end
end

local function count_running_busy()
  redis.call('DEL', P .. 'busy')
  local from = 0
  while true do
    local members = redis.call('ZRANGE', P .. 'running', from, from + 999)
    for _, member in ipairs(members) do
      local j = redis.call('HMGET', job_key(id_of(member)), 'queue', 'type')
      if j[1] then add_busy(j[1], j[2], 1) end
    end
    if #members < 1000 then break end
    from = from + 1000
  end
end

-- The key a job's user is capped under (src/store/limit_gate.cpp's running_cap_key): "TIER/USER"
-- (names cannot hold a '/'), or '' when the job has no tier or no user: no user cap applies.
local function cap_key(j)
  if j.tier == '' or j.user_id == '' then return '' end
  return j.tier .. '/' .. j.user_id
end

-- Running jobs per user key (cap_key), for the users' running caps: the hash P..'busy:users'.
local function count_user_busy(j, delta)
  local user = cap_key(j)
  if user == '' then return end
  if redis.call('HINCRBY', P .. 'busy:users', user, delta) <= 0 then redis.call('HDEL', P .. 'busy:users', user) end
end

-- The users' running caps, which each process is given (Store::set_user_caps) and passes to the
-- scripts that lease: from ARGV at i, a count n and n pairs tier, cap (each cap > 0). Answers
-- the caps by tier (nil when there are none) and the index after them.
local function caps_at(i)
  local n = num(ARGV[i])
  if n == 0 then return nil, i + 1 end
  local caps = {}
  for k = 1, n do caps[ARGV[i + 2 * k - 1]] = num(ARGV[i + 2 * k]) end
  return caps, i + 2 * n + 1
end

-- Whether the ready job `id` may start under the caps: its user (if it has a capped one) runs
-- fewer jobs than its tier's cap.
local function user_admits(caps, id)
  local f = redis.call('HMGET', job_key(id), 'tier', 'user_id')
  local tier, user = f[1], f[2]
  if not tier or tier == '' or not user or user == '' then return true end
  local cap = caps[tier]
  return not cap or num(redis.call('HGET', P .. 'busy:users', tier .. '/' .. user)) < cap
end

-- The limits, as src/store/limit_gate.cpp and src/core/rate_bucket.cpp keep them, step for step.
-- The hash P..'limits' holds, per 'queue:'..name or 'type:'..name, the text
-- "max_running,count,period_ms,at,rem": the cap, the rate, and where its bucket stands. A gate
-- reads each limit once per script and writes back the buckets that moved (gate_save).
local function gate_open(now)
  if not limited() then return nil end
  return {now = num(now), limits = {}, moved = {}}
end

local function parse_limit(text)
  local l = {}
  for v in string.gmatch(text, '[^,]+') do l[#l + 1] = tonumber(v) end
  return l
end

local function limit_text(l) return int(l[1]) .. ',' .. int(l[2]) .. ',' .. int(l[3]) .. ',' .. int(l[4]) .. ',' .. int(l[5]) end

local function gate_limit(g, field)
  local l = g.limits[field]
  if l == nil then
    local text = redis.call('HGET', P .. 'limits', field)
    l = text and parse_limit(text) or false
    g.limits[field] = l
  end
  return l
end

-- How far a bucket is from full at `now`, in count-ths of a ms.
local function deficit(l, now)
  if l[4] < now or (l[4] == now and l[5] == 0) then return 0 end
  return (l[4] - now) * l[2] + l[5]
end

local function admits_field(g, field)
  local l = gate_limit(g, field)
  if not l then return true end
  if l[1] > 0 and num(redis.call('HGET', P .. 'busy', field)) >= l[1] then return false end
  return l[2] == 0 or deficit(l, g.now) + l[3] <= l[3] * l[2]
end

local function gate_admits(g, queue, type)
  return not g or (admits_field(g, 'queue:' .. queue) and admits_field(g, 'type:' .. type))
end

-- A job of this queue and type starts: it takes a token from each bucket.
local function gate_take(g, queue, type)
  if not g then return end
  for _, field in ipairs({'queue:' .. queue, 'type:' .. type}) do
    local l = gate_limit(g, field)
    if l and l[2] > 0 then
      local after = deficit(l, g.now) + l[3]
      l[4] = g.now + math.floor(after / l[2])
      l[5] = after % l[2]
      g.moved[field] = l
    end
  end
end

local function gate_save(g)
  if not g then return end
  for field, l in pairs(g.moved) do redis.call('HSET', P .. 'limits', field, limit_text(l)) end
end

-- The ready sets a lease for these queues and types would look at (no types: every type of the
-- queue's types, those with work and those emptied since the last lease looked); paused queues
-- have none. A set read from the queue's types is `listed`.
local function ready_sets(queues, types)
  local sets = {}
  for _, q in ipairs(queues) do
    if redis.call('SISMEMBER', P .. 'paused', q) == 0 then
      local listed = #types == 0
      local ts = listed and redis.call('SMEMBERS', types_key(q)) or types
      for _, t in ipairs(ts) do
        sets[#sets + 1] = {key = ready_key(q, t), queue = q, type = t, listed = listed}
      end
    end
  end
  return sets
end

-- The listed sets that best_ready found empty leave their queues' types, so that "any type" looks
-- only at types with work. (ready_remove leaves an emptied set listed: a lease looks anyway, and
-- so the check costs a call per lease that meets an empty set, not one per job that leaves.)
local function unlist_empty(sets)
  for _, set in ipairs(sets) do
    if set.listed and set.empty then redis.call('SREM', types_key(set.queue), set.type) end
  end
end

-- The best job of a ready set past its top (which `caps` refuse) that `caps` let start and that
-- beats best_score (nil: any), or nil. The set holds one job per capped user: the walk passes over
-- one job for each user at its cap, and stops at the first job that may start.
local function best_past_top(key, caps, best_score)
  local from, page = 1, 8
  while true do
    local got = redis.call('ZRANGE', key, from, from + page - 1, 'WITHSCORES')
    for i = 1, #got, 2 do
      local score = num(got[i + 1])
      if best_score and score >= best_score then return nil end
      if user_admits(caps, got[i]) then return got[i], score end
    end
    if #got < 2 * page then return nil end
    from, page = from + page, math.min(page * 2, 256)
  end
end

-- The best ready job of these sets that the gate (nil: none) and the users' caps (nil: none) let
-- start; the limits are asked only about a set that would win. The best top of the sets is found
-- as it was before caps, one read per set; only if the caps refuse it is each set looked into
-- past its top.
local function best_ready(sets, gate, caps)
  local tops, best, best_score, best_at = {}, nil, nil, nil
  for i, set in ipairs(sets) do
    local top = redis.call('ZRANGE', set.key, 0, 0, 'WITHSCORES')
    set.empty = #top == 0
    if #top > 0 then
      local score = num(top[2])
      if caps then tops[i] = {top[1], score} end
      if (not best or score < best_score) and gate_admits(gate, set.queue, set.type) then
        best, best_score, best_at = top[1], score, i
      end
    end
  end
  if not best or not caps or user_admits(caps, best) then return best end
  local refused = best_at
  best, best_score = nil, nil
  for i, set in ipairs(sets) do
    local top = tops[i]
    if top and (not best or top[2] < best_score) and
        (i == refused or gate_admits(gate, set.queue, set.type)) then
      if i ~= refused and user_admits(caps, top[1]) then
        best, best_score = top[1], top[2]
      else
        local id, score = best_past_top(set.key, caps, best_score)
        if id then best, best_score = id, score end
      end
    end
  end
  return best
end

-- A field at its zero ('' or '0', as below) is not kept in the job's hash: less memory, and
-- fewer values to carry in and out of every script. A job table reads such a field through
-- ZERO; the C++ side reads a missing field as its zero (job_fields.cpp). type, queue, status,
-- seq, created_at and updated_at are always kept; the id is the key's (load() puts it in the
-- table; a job stored before 2026-12-08 also has it as a field).
local ZERO = {
  priority = '0', progress = '0', attempt = '0', max_attempts = '0', backoff_initial_ms = '0',
  backoff_factor = '0', backoff_max_ms = '0', backoff_jitter = '0', timeout_ms = '0',
  soft_timeout_ms = '0', run_at = '0', lease_ms = '0', lease_expires_at = '0',
  cancel_requested = '0', started_at = '0', completed_at = '0', expires_at = '0',
  result_ttl_ms = '0',
  payload = '', stage = '', progress_message = '', processed_items = '', total_items = '',
  worker_id = '', lease_token = '', result = '', errors = '', user_id = '', tags = '',
  idempotency_key = '', depends_on = '', callback_url = '', tier = '',
}
local JOB = {__index = ZERO}
local function job_table(j) return setmetatable(j, JOB) end

local function load(id)
  local flat = redis.call('HGETALL', job_key(id))
  if #flat == 0 then return nil end
  local j = {id = id}
  for i = 1, #flat, 2 do j[flat[i]] = flat[i + 1] end
  return job_table(j)
end

-- The job's fields as a flat list, those at their zero left out; `stored`: without the id, which
-- the hash's key holds.
local function flat(j, stored)
  local out = {}
  for k, v in pairs(j) do
    if ZERO[k] ~= v and not (stored and k == 'id') then
      out[#out + 1] = k
      out[#out + 1] = v
    end
  end
  return out
end

local function count_field(j) return cjson.encode({j.queue, j.type, j.status}) end

-- A queued job joins its ready sets (ready_key's comment): one no user cap applies to goes in the
-- queue and type's set; one of a capped user in the user's set, and in the queue and type's set
-- in place of the user's head if it is the user's best.
local function ready_add(j)
  local key, score, user = ready_key(j.queue, j.type), ready_score(j), cap_key(j)
  if user ~= '' then
    local mine = user_ready_key(j.queue, j.type, user)
    redis.call('ZADD', mine, score, j.id)
    local top = redis.call('ZRANGE', mine, 0, 1)
    if top[1] ~= j.id then return end  -- the user's head stays
    if top[2] then redis.call('ZREM', key, top[2]) end
  end
  redis.call('ZADD', key, score, j.id)
  redis.call('SADD', types_key(j.queue), j.type)
end

-- A queued job leaves its ready sets; a user's head that goes is followed by the user's next best.
local function ready_remove(j)
  local key, user = ready_key(j.queue, j.type), cap_key(j)
  local was_top = redis.call('ZREM', key, j.id) == 1
  if user ~= '' then
    local mine = user_ready_key(j.queue, j.type, user)
    redis.call('ZREM', mine, j.id)
    if not was_top then return end
    local after = redis.call('ZRANGE', mine, 0, 0, 'WITHSCORES')
    if #after > 0 then redis.call('ZADD', key, after[2], after[1]) end
  end
  -- An emptied set stays in the queue's types until a lease finds it empty (unlist_empty).
end

-- The sets that depend on a job's status, as the memory store's index() and unindex().
local function index_status(j)
  local s = j.status
  if s == 'queued' then
    ready_add(j)
  elseif s == 'scheduled' then
    redis.call('ZADD', P .. 'scheduled', num(j.run_at), timed(j))
  elseif s == 'running' then
    redis.call('ZADD', P .. 'running', num(j.lease_expires_at), timed(j))
    count_busy(j, 1)
    count_user_busy(j, 1)
    if num(j.timeout_ms) > 0 then
      redis.call('ZADD', P .. 'deadlines', num(j.started_at) + num(j.timeout_ms), timed(j))
    end
  elseif TERMINAL[s] then
    redis.call('ZADD', P .. 'finished', num(j.completed_at), timed(j))
    if num(j.expires_at) > 0 then redis.call('ZADD', P .. 'expiring', num(j.expires_at), timed(j)) end
    if s == 'failed' then
      redis.call('ZADD', P .. 'dead', num(j.completed_at), timed(j))
      redis.call('ZADD', dead_key(j.queue), num(j.completed_at), timed(j))
    end
  end
  if not TERMINAL[s] and j.idempotency_key ~= '' then
    redis.call('HSET', P .. 'keys', j.idempotency_key, j.id)
  end
  redis.call('ZADD', P .. 'status:' .. s, num(j.seq), j.id)
  redis.call('HINCRBY', P .. 'counts', count_field(j), 1)
end

-- The orders every job is in whatever its status (their members never change: ZADD moves them).
local function index_orders(j)
  redis.call('ZADD', P .. 'by-updated', num(j.updated_at), timed(j))
  redis.call('ZADD', P .. 'by-priority', priority_score(j), j.id)
end

local function index(j)
  index_status(j)
  index_orders(j)
end

local function unindex(j)
  local s = j.status
  if s == 'queued' then
    ready_remove(j)
  elseif s == 'scheduled' then
    redis.call('ZREM', P .. 'scheduled', timed(j))
  elseif s == 'running' then
    redis.call('ZREM', P .. 'running', timed(j))
    count_busy(j, -1)
    count_user_busy(j, -1)
    -- Only where index_status put it (the same fields decide: they do not change in between).
    if num(j.timeout_ms) > 0 then redis.call('ZREM', P .. 'deadlines', timed(j)) end
  elseif TERMINAL[s] then
    redis.call('ZREM', P .. 'finished', timed(j))
    if num(j.expires_at) > 0 then redis.call('ZREM', P .. 'expiring', timed(j)) end
    if s == 'failed' then
      redis.call('ZREM', P .. 'dead', timed(j))
      redis.call('ZREM', dead_key(j.queue), timed(j))
    end
  end
  if j.idempotency_key ~= '' and redis.call('HGET', P .. 'keys', j.idempotency_key) == j.id then
    redis.call('HDEL', P .. 'keys', j.idempotency_key)
  end
  redis.call('ZREM', P .. 'status:' .. s, j.id)
  -- A count that falls to zero stays (Store::stats skips it): a call less each time a queue
  -- drains, for a field per queue, type and status ever seen.
  redis.call('HINCRBY', P .. 'counts', count_field(j), -1)
end

-- The sets a job is in for all its life, by seq: for listing with a filter.
local function lifelong_keys(j)
  local keys = {P .. 'all', P .. 'queue:' .. j.queue, P .. 'type:' .. j.type}
  if j.user_id ~= '' then keys[#keys + 1] = P .. 'user:' .. j.user_id end
  for _, tag in ipairs(list_of(j.tags)) do keys[#keys + 1] = P .. 'tag:' .. tag end
  return keys
end

local function insert(j)
  redis.call('HSET', job_key(j.id), unpack(flat(j, true)))
  for _, key in ipairs(lifelong_keys(j)) do redis.call('ZADD', key, num(j.seq), j.id) end
  index(j)
end

-- A job that keeps its status: the scores in its status's sets that its change moved.
local function rescore(before, after)
  local s = after.status
  local function moved(field) return before[field] ~= after[field] end
  if s == 'queued' and moved('priority') then
    if cap_key(after) == '' then
      redis.call('ZADD', ready_key(after.queue, after.type), ready_score(after), after.id)
    else  -- the user's head may change
      ready_remove(before)
      ready_add(after)
    end
  elseif s == 'scheduled' and moved('run_at') then
    redis.call('ZADD', P .. 'scheduled', num(after.run_at), timed(after))
  elseif s == 'running' then
    if moved('lease_expires_at') then
      redis.call('ZADD', P .. 'running', num(after.lease_expires_at), timed(after))
    end
    if moved('started_at') or moved('timeout_ms') then
      if num(before.timeout_ms) > 0 then redis.call('ZREM', P .. 'deadlines', timed(after)) end
      if num(after.timeout_ms) > 0 then
        redis.call('ZADD', P .. 'deadlines', num(after.started_at) + num(after.timeout_ms), timed(after))
      end
    end
  elseif TERMINAL[s] and (moved('completed_at') or moved('expires_at')) then
    unindex(before)
    index_status(after)
  end
end

-- Writes `after` over `before` (the same job), moving it between sets as its status changes.
-- Only the fields that changed are written, and only the sets whose membership or score changed
-- are touched (all of it goes to the AOF).
local function save(before, after)
  -- A job that ends owes its webhooks until add_deliveries.lua pays them, in a script of its own:
  -- the sweep makes good what a process that died in between never paid (Store::owed_webhooks).
  if TERMINAL[after.status] and not TERMINAL[before.status] and
      (after.callback_url ~= '' or redis.call('EXISTS', P .. 'webhooks:hooked') == 1) then
    redis.call('ZADD', P .. 'webhooks:owed', num(after.completed_at), after.id)
  end
  if before.status ~= after.status or before.queue ~= after.queue or before.type ~= after.type or
      before.idempotency_key ~= after.idempotency_key or cap_key(before) ~= cap_key(after) then
    unindex(before)
    index_status(after)
  else
    rescore(before, after)
  end
  if before.updated_at ~= after.updated_at then
    redis.call('ZADD', P .. 'by-updated', num(after.updated_at), timed(after))
  end
  if before.priority ~= after.priority then
    redis.call('ZADD', P .. 'by-priority', priority_score(after), after.id)
  end
  local changed, zeroed = {}, {}
  for k, v in pairs(after) do
    if before[k] ~= v then
      if ZERO[k] == v then
        zeroed[#zeroed + 1] = k
      else
        changed[#changed + 1] = k
        changed[#changed + 1] = v
      end
    end
  end
  if #changed == 0 then
    if #zeroed > 0 then redis.call('HDEL', job_key(after.id), unpack(zeroed)) end
    return
  end
  -- Beside other changes a field back at its zero is written as its zero, not deleted: one call,
  -- not two, for a few bytes the job keeps.
  for _, k in ipairs(zeroed) do
    changed[#changed + 1] = k
    changed[#changed + 1] = ZERO[k]
  end
  redis.call('HSET', job_key(after.id), unpack(changed))
end

local function erase(j)
  unindex(j)
  redis.call('ZREM', P .. 'by-updated', timed(j))
  redis.call('ZREM', P .. 'by-priority', j.id)
  for _, key in ipairs(lifelong_keys(j)) do redis.call('ZREM', key, j.id) end
  redis.call('DEL', job_key(j.id), P .. 'dependents:' .. j.id)
end

local function copy(j)
  local c = {}
  for k, v in pairs(j) do c[k] = v end
  return job_table(c)
end

-- Transitions: src/core/transitions.cpp.

local function transition(j, to)
  if not ALLOWED[j.status][to] then
    return err('conflict', 'job ' .. j.id .. ' cannot go from ' .. j.status .. ' to ' .. to)
  end
  j.status = to
end

local function clear_lease(j)
  j.worker_id = ''
  j.lease_token = ''
  j.lease_expires_at = '0'
  j.cancel_requested = '0'
end

-- Retention::keep_ms (src/core/retention.cpp): the job's own result_ttl_ms once completed, else
-- its queue's setting, else the server's.
local function keep_ms(j, retention)
  local field = j.status .. '_ms'
  if j.status == 'completed' and num(j.result_ttl_ms) > 0 then return num(j.result_ttl_ms) end
  local own = retention.queues[j.queue]
  if own and own[field] ~= nil then return own[field] end
  return retention[field]
end

-- After the job's status has become its terminal one, which decides how long it is kept.
local function finish(j, now, retention)
  clear_lease(j)
  j.completed_at = now
  local keep = keep_ms(j, retention)
  j.expires_at = keep > 0 and int(num(now) + keep) or '0'
end

local function ready_status(j, now)
  return num(j.run_at) > num(now) and 'scheduled' or 'queued'
end

local function check_lease(j, token)
  if j.status ~= 'running' or token == '' or j.lease_token ~= token then
    return err('conflict', 'stale lease token: job ' .. j.id .. ' is not leased under this token')
  end
end

local function not_found(id) return err('not_found', 'no job with id ' .. id) end

local function start(j, worker_id, lease_ms, token, now)
  local e = transition(j, 'running')
  if e then return e end
  j.attempt = int(num(j.attempt) + 1)
  j.worker_id = worker_id
  j.lease_token = token
  j.lease_ms = lease_ms
  j.lease_expires_at = int(num(now) + num(lease_ms))
  j.cancel_requested = '0'
  j.started_at = now
  j.updated_at = now
  j.progress = '0'
  j.progress_message = ''
  j.stage = ''
  j.processed_items = ''
  j.total_items = ''
end

local function append_error(j, error_json)
  if j.errors == '' then
    j.errors = '[' .. error_json .. ']'
  else
    j.errors = string.sub(j.errors, 1, -2) .. ',' .. error_json .. ']'
  end
end

local function complete(j, result, now, retention)
  local e = transition(j, 'completed')
  if e then return e end
  j.result = result
  j.progress = '100'
  j.updated_at = now
  finish(j, now, retention)
end

-- failure: {then_ = 'retry'|'dead'|'cancel'|'release', retry_at, count_attempt, error_json}
local function fail(j, failure, now, retention)
  local to = 'failed'
  if failure.then_ == 'cancel' or (j.cancel_requested == '1' and j.status == 'running') then
    to = 'cancelled'
  elseif failure.then_ == 'retry' then
    to = num(failure.retry_at) > num(now) and 'scheduled' or 'queued'
  elseif failure.then_ == 'release' then
    to = 'queued'
  end
  local e = transition(j, to)
  if e then return e end
  if failure.then_ ~= 'release' then append_error(j, failure.error_json) end
  j.updated_at = now
  if to == 'scheduled' or to == 'queued' then
    if failure.count_attempt == '0' or failure.then_ == 'release' then
      j.attempt = int(num(j.attempt) - 1)
    end
    clear_lease(j)
    j.run_at = failure.retry_at
  else
    finish(j, now, retention)
  end
end

local function cancel(j, now, retention)
  if j.status == 'running' then
    j.cancel_requested = '1'
    j.updated_at = now
    return
  end
  local e = transition(j, 'cancelled')
  if e then return e end
  j.updated_at = now
  finish(j, now, retention)
end

local function retry(j, now)
  if j.status ~= 'failed' and j.status ~= 'cancelled' then
    return err('conflict', 'only failed or cancelled jobs can be retried; job ' .. j.id .. ' is ' ..
               j.status)
  end
  local e = transition(j, 'queued')
  if e then return e end
  j.attempt = '0'
  j.run_at = now
  j.updated_at = now
  j.completed_at = '0'
  j.expires_at = '0'
  j.result = ''
  j.progress = '0'
end

local function release(j, now)
  local e = transition(j, ready_status(j, now))
  if e then return e end
  j.updated_at = now
end

local function fail_dependent(j, dep_id, now, retention)
  local e = transition(j, 'failed')
  if e then return e end
  append_error(j, cjson.encode({message = 'dependency ' .. dep_id .. ' did not complete',
                                traceback = '', attempt = num(j.attempt), at = num(now)}))
  j.updated_at = now
  finish(j, now, retention)
end

-- What a finished job does to the jobs waiting on it: src/store/dependents.cpp.
local function settle(finished, now, retention)
  local changed = {}
  if not TERMINAL[finished.status] then return changed end
  local work = {finished}
  while #work > 0 do
    local dep = table.remove(work)
    local completed = dep.status == 'completed'
    local key = P .. 'dependents:' .. dep.id
    local ids = redis.call('SMEMBERS', key)
    if #ids > 0 then redis.call('DEL', key) end
    table.sort(ids)
    for _, id in ipairs(ids) do
      local job = load(id)
      if job and job.status == 'waiting' then
        local after = copy(job)
        local e
        if completed then
          for _, d in ipairs(list_of(after.depends_on)) do
            -- A dependency that is gone was purged after completing.
            local status = d == dep.id and dep.status or redis.call('HGET', job_key(d), 'status')
            if status and status ~= 'completed' then e = true end
          end
          if not e then e = release(after, now) end
        else
          e = fail_dependent(after, dep.id, now, retention)
          if not e then work[#work + 1] = after end
        end
        if not e then
          save(job, after)
          changed[#changed + 1] = after
        end
      end
    end
  end
  return changed
end

local function finished_reply(j, now, retention)
  local dependents = {}
  for _, d in ipairs(settle(j, now, retention)) do dependents[#dependents + 1] = flat(d) end
  return {'ok', flat(j), dependents}
end

-- ARGV helpers: a retention is three numbers.
-- Four arguments: the server's times for completed, cancelled and failed jobs, then the queues'
-- own as JSON ({queue: {completed_ms, ...}}, or '' when no queue has its own).
local function retention_at(i)
  local queues = ARGV[i + 3] ~= '' and cjson.decode(ARGV[i + 3]) or {}
  return {completed_ms = num(ARGV[i]), cancelled_ms = num(ARGV[i + 1]), failed_ms = num(ARGV[i + 2]),
          queues = queues}
end

-- A filter arrives as JSON: {statuses = [...], queue, type, user_id, tag, created_after,
-- created_before}; src/store/job_filter.cpp's matches().
local function matches(j, f)
  if #f.statuses > 0 then
    local hit = false
    for _, s in ipairs(f.statuses) do if s == j.status then hit = true end end
    if not hit then return false end
  end
  if f.queue ~= '' and j.queue ~= f.queue then return false end
  if f.type ~= '' and j.type ~= f.type then return false end
  if f.user_id ~= '' and j.user_id ~= f.user_id then return false end
  if f.tag ~= '' then
    local hit = false
    for _, t in ipairs(list_of(j.tags)) do if t == f.tag then hit = true end end
    if not hit then return false end
  end
  if f.created_after and num(j.created_at) < f.created_after then return false end
  if f.created_before and num(j.created_at) >= f.created_before then return false end
  return true
end

-- Workers whose last beat is before `before` are forgotten.
local function forget_workers(before)
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', P .. 'workers', '-inf', '(' .. before)) do
    redis.call('DEL', P .. 'worker:' .. id)
    redis.call('ZREM', P .. 'workers', id)
  end
end

-- WriteGroup::submit, shared by submit.lua and fire_schedule.lua. The jobs are in ARGV from
-- `at`: their count n, then per job a field count k and k field/value pairs (every field but
-- status and seq, those at their zero left out). All-or-nothing: every dependency is checked
-- before any job is stored, so an error leaves nothing written. Answers {'ok', {created, job}...}
-- and the id of the last job answered (nil if none).
local function submit_jobs(at)
  local jobs = {}
  local n = num(ARGV[at])
  at = at + 1
  for i = 1, n do
    local j = {}
    for _ = 1, num(ARGV[at]) do
      j[ARGV[at + 1]] = ARGV[at + 2]
      at = at + 2
    end
    at = at + 1
    jobs[i] = job_table(j)
  end
  for _, j in ipairs(jobs) do
    for _, dep in ipairs(list_of(j.depends_on)) do
      local status = redis.call('HGET', job_key(dep), 'status')
      if not status then return err('invalid_argument', 'no job with id ' .. dep, 'depends_on') end
      if status == 'failed' or status == 'cancelled' then
        return err('conflict', 'dependency ' .. dep .. ' is ' .. status, 'depends_on')
      end
    end
  end
  local out, last = {'ok'}, nil
  for _, j in ipairs(jobs) do
    local live = j.idempotency_key ~= '' and redis.call('HGET', P .. 'keys', j.idempotency_key)
    if live then
      out[#out + 1] = {0, flat(load(live))}
      last = live
    else
      local pending = false
      for _, dep in ipairs(list_of(j.depends_on)) do
        if redis.call('HGET', job_key(dep), 'status') ~= 'completed' then
          pending = true
          redis.call('SADD', P .. 'dependents:' .. dep, j.id)
        end
      end
      j.status = pending and 'waiting' or ready_status(j, j.created_at)
      j.seq = int(redis.call('INCR', P .. 'seq'))
      insert(j)
      out[#out + 1] = {1, flat(j)}
      last = j.id
    end
  end
  return out, last
end

-- A schedule is the hash P..'schedule:'..name: 'record', its JSON (src/wire/schedule_json.h)
-- without the fields kept beside it, which the scripts read and write as they do a job's:
-- 'paused' ('0'/'1'), 'next_run_at', 'last_run_at', 'updated_at' (whole numbers) and
-- 'last_job_id'. P..'schedules' holds every name (all scored 0: by name); P..'schedules:due' the
-- unpaused ones with a next due time, by it.
local function schedule_key(name) return P .. 'schedule:' .. name end

local function index_schedule(name, next_run_at, paused)
  if paused ~= '1' and num(next_run_at) > 0 then
    redis.call('ZADD', P .. 'schedules:due', next_run_at, name)
  else
    redis.call('ZREM', P .. 'schedules:due', name)
  end
end

-- A webhook delivery (include/jobq/webhooks.h) is the hash P..'delivery:'..id, always with every
-- field of a Delivery: status 'pending' or 'dead', whole numbers, token '' when unclaimed. Its id
-- is in sets scored 0, which read in id order, that is time order (UUIDv7), so that a page of a
-- list reads about a page: P..'deliveries' (every one), P..'deliveries:pending' or
-- P..'deliveries:dead' (its status's) and P..'deliveries:job:'..job_id (its job's). A pending one
-- is in P..'deliveries:due' by next_at (claims), a dead one in P..'deliveries:died' by updated_at
-- (purges).
local function delivery_key(id) return P .. 'delivery:' .. id end
local function delivery_not_found(id) return err('not_found', 'no webhook delivery ' .. id) end

local function load_delivery(id)
  local flat = redis.call('HGETALL', delivery_key(id))
  if #flat == 0 then return nil end
  local d = {}
  for i = 1, #flat, 2 do d[flat[i]] = flat[i + 1] end
  return d
end

local function delivery_flat(d)
  local out = {}
  for k, v in pairs(d) do
    out[#out + 1] = k
    out[#out + 1] = v
  end
  return out
end

-- A delivery from ARGV at i: a count k, then k field/value pairs; and the index after it.
local function delivery_at(i)
  local d = {}
  for _ = 1, num(ARGV[i]) do
    d[ARGV[i + 1]] = ARGV[i + 2]
    i = i + 2
  end
  return d, i + 1
end

local function delivery_lists(d)
  return {P .. 'deliveries', P .. 'deliveries:' .. d.status, P .. 'deliveries:job:' .. d.job_id}
end

local function index_delivery(d)
  for _, key in ipairs(delivery_lists(d)) do redis.call('ZADD', key, 0, d.id) end
  if d.status == 'pending' then
    redis.call('ZADD', P .. 'deliveries:due', d.next_at, d.id)
  else
    redis.call('ZADD', P .. 'deliveries:died', d.updated_at, d.id)
  end
end

local function drop_delivery(d)
  for _, key in ipairs(delivery_lists(d)) do redis.call('ZREM', key, d.id) end
  redis.call('ZREM', P .. 'deliveries:due', d.id)
  redis.call('ZREM', P .. 'deliveries:died', d.id)
  redis.call('DEL', delivery_key(d.id))
end

-- Stores d (every field) in place of the delivery with its id, if there is one.
local function put_delivery(d)
  local was = load_delivery(d.id)
  if was then drop_delivery(was) end
  redis.call('HSET', delivery_key(d.id), unpack(delivery_flat(d)))
  index_delivery(d)
end
