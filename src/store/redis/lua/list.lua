#!lua flags=no-writes
-- Store::list. ARGV: the filter as JSON, sort (created_at, priority, updated_at), descending
-- ('0'/'1'), limit, then has_cursor ('0'/'1'), the cursor's key and seq (src/store/job_filter.h).
-- Answers {'ok', job...}: up to limit + 1, so that the caller knows whether a next page exists.
-- A page touches few jobs. By seq it walks, from the cursor, the smallest of the sets that the
-- filter names (all, status, queue, type, user, tag) and keeps what the filter matches. By
-- priority or updated_at it either walks that whole order the same way, or sorts the smallest
-- named set, whichever should touch fewer jobs: walking expects limit * all / smallest of them
-- (the filter's jobs spread through the order), sorting touches the whole smallest set. A walk
-- that has loaded as many jobs as that set holds (its jobs bunched at the far end of the order)
-- sorts the set instead, so a page never loads more than twice the smallest set.
local f = cjson.decode(ARGV[1])
local sort, desc, want = ARGV[2], ARGV[3] == '1', num(ARGV[4]) + 1
local has_cursor, ckey, cseq = ARGV[5] == '1', num(ARGV[6]), num(ARGV[7])

local all = P .. 'all'
local smallest_key, smallest = nil, redis.call('ZCARD', all)
local function consider(k)
  local n = redis.call('ZCARD', k)
  if n < smallest then smallest_key, smallest = k, n end
end
if #f.statuses == 1 then consider(P .. 'status:' .. f.statuses[1]) end
if f.queue ~= '' then consider(P .. 'queue:' .. f.queue) end
if f.type ~= '' then consider(P .. 'type:' .. f.type) end
if f.user_id ~= '' then consider(P .. 'user:' .. f.user_id) end
if f.tag ~= '' then consider(P .. 'tag:' .. f.tag) end

local key, kind
if sort == 'priority' then
  key, kind = P .. 'by-priority', 'priority'
elseif sort == 'updated_at' then
  key, kind = P .. 'by-updated', 'updated'
else
  key, kind = smallest_key or all, 'seq'
end

-- Sorting the smallest set: each job's place in the order is (priority, seq) or (updated_at,
-- seq); those past the cursor that match are sorted and the first `want` answered.
local function sorted_smallest()
  local found = {}
  for _, id in ipairs(redis.call('ZRANGE', smallest_key, 0, -1)) do
    local j = load(id)
    if j and matches(j, f) then
      local major = kind == 'priority' and num(j.priority) or num(j.updated_at)
      local seq = num(j.seq)
      local past = true
      if has_cursor then
        if desc then
          past = major < ckey or (major == ckey and seq < cseq)
        else
          past = major > ckey or (major == ckey and seq > cseq)
        end
      end
      if past then found[#found + 1] = {major, seq, j} end
    end
  end
  table.sort(found, function(a, b)
    if a[1] ~= b[1] then
      if desc then return a[1] > b[1] end
      return a[1] < b[1]
    end
    if desc then return a[2] > b[2] end
    return a[2] < b[2]
  end)
  local out = {'ok'}
  for i = 1, math.min(want, #found) do out[#out + 1] = flat(found[i][3]) end
  return out
end

local can_sort = kind ~= 'seq' and smallest_key ~= nil
if can_sort and smallest * smallest <= want * redis.call('ZCARD', all) then return sorted_smallest() end

-- The score range past the cursor. By updated_at the cursor's own score is included and the
-- jobs at or before the cursor's seq within it are skipped below.
local low, high = '-inf', '+inf'
if has_cursor then
  local bound
  if kind == 'seq' then
    bound = '(' .. int(cseq)
  elseif kind == 'priority' then
    bound = '(' .. int(ckey * 70368744177664 + cseq)
  else
    bound = int(ckey)
  end
  if desc then high = bound else low = bound end
end

local out = {'ok'}
local offset, loaded = 0, 0
while #out - 1 < want do
  local chunk
  if desc then
    chunk = redis.call('ZREVRANGEBYSCORE', key, high, low, 'WITHSCORES', 'LIMIT', offset, 200)
  else
    chunk = redis.call('ZRANGEBYSCORE', key, low, high, 'WITHSCORES', 'LIMIT', offset, 200)
  end
  if #chunk == 0 then break end
  offset = offset + #chunk / 2
  for i = 1, #chunk, 2 do
    local member = chunk[i]
    local id = member
    local skip = false
    if kind == 'updated' then
      id = id_of(member)
      if has_cursor and num(chunk[i + 1]) == ckey then
        local seq = num(string.sub(member, 1, 15))
        skip = (desc and seq >= cseq) or (not desc and seq <= cseq)
      end
    end
    if not skip then
      if can_sort and loaded >= smallest then return sorted_smallest() end
      loaded = loaded + 1
      local j = load(id)
      if matches(j, f) then
        out[#out + 1] = flat(j)
        if #out - 1 >= want then break end
      end
    end
  end
end
return out
