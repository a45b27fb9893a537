#!lua flags=no-writes
-- Store::list. ARGV: the filter as JSON, sort (created_at, priority, updated_at), descending
-- ('0'/'1'), limit, then has_cursor ('0'/'1'), the cursor's key and seq (src/store/job_filter.h).
-- Walks one ordered set from the cursor and keeps what the filter matches: by seq, the smallest
-- of the sets that the filter names (all, status, queue, type, user, tag); by priority or
-- updated_at, the whole order. Answers {'ok', job...}: up to limit + 1, so that the caller knows
-- whether a next page exists.
local f = cjson.decode(ARGV[1])
local sort, desc, want = ARGV[2], ARGV[3] == '1', num(ARGV[4]) + 1
local has_cursor, ckey, cseq = ARGV[5] == '1', num(ARGV[6]), num(ARGV[7])

local key, kind
if sort == 'priority' then
  key, kind = P .. 'by-priority', 'priority'
elseif sort == 'updated_at' then
  key, kind = P .. 'by-updated', 'updated'
else
  key, kind = P .. 'all', 'seq'
  local smallest = redis.call('ZCARD', key)
  local function consider(k)
    local n = redis.call('ZCARD', k)
    if n < smallest then key, smallest = k, n end
  end
  if #f.statuses == 1 then consider(P .. 'status:' .. f.statuses[1]) end
  if f.queue ~= '' then consider(P .. 'queue:' .. f.queue) end
  if f.type ~= '' then consider(P .. 'type:' .. f.type) end
  if f.user_id ~= '' then consider(P .. 'user:' .. f.user_id) end
  if f.tag ~= '' then consider(P .. 'tag:' .. f.tag) end
end

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
local offset = 0
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
      local j = load(id)
      if matches(j, f) then
        out[#out + 1] = flat(j)
        if #out - 1 >= want then break end
      end
    end
  end
end
return out
