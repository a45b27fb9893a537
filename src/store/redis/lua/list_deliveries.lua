#!lua flags=no-writes
-- Store::list_deliveries. ARGV: the status ('': any), the job id ('': any), the page's size and
-- the cursor ('': from the newest). Answers {'ok', fields...}: newest first, ids below the
-- cursor, up to one more than a page (then there is a next page).
local status, job, size, cursor = ARGV[1], ARGV[2], num(ARGV[3]), ARGV[4]
local key = P .. 'deliveries'
if job ~= '' then
  key = P .. 'deliveries:job:' .. job
elseif status ~= '' then
  key = P .. 'deliveries:' .. status
end
-- Only a job's list holds deliveries of another status than the one asked for: it is short.
local check = job ~= '' and status ~= ''
local out, below = {'ok'}, cursor == '' and '+' or '(' .. cursor
repeat
  local ids = redis.call('ZREVRANGEBYLEX', key, below, '-', 'LIMIT', 0, size + 1)
  for _, id in ipairs(ids) do
    if not check or redis.call('HGET', delivery_key(id), 'status') == status then
      local flat = redis.call('HGETALL', delivery_key(id))
      if #flat > 0 then out[#out + 1] = flat end
      if #out > size + 1 then break end
    end
  end
  if #ids > 0 then below = '(' .. ids[#ids] end
until #ids < size + 1 or #out > size + 1
return out
