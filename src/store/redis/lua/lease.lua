#!lua
-- WriteGroup::lease. ARGV: worker_id, lease_ms, now, max_jobs, then a count and the queues, a
-- count and the types (none: any type), the users' caps (common.lua's caps_at), then one fresh
-- token per job it may lease.
-- Answers {'ok', job...}, best priority first, then submit order, within the limits and caps.
local worker_id, lease_ms, now, max_jobs = ARGV[1], ARGV[2], ARGV[3], num(ARGV[4])
local at = 5
local queues, types = {}, {}
for i = 1, num(ARGV[at]) do queues[i] = ARGV[at + i] end
at = at + #queues + 1
for i = 1, num(ARGV[at]) do types[i] = ARGV[at + i] end
local caps, tokens = caps_at(at + #types + 1)
local sets = ready_sets(queues, types)
local gate = gate_open(now)
local out = {'ok'}
while #out - 1 < max_jobs do
  local id = best_ready(sets, gate, caps)
  if not id then break end
  local before = load(id)
  local j = copy(before)
  local e = start(j, worker_id, lease_ms, ARGV[tokens + #out - 1], now)
  if e then return e end
  save(before, j)
  gate_take(gate, j.queue, j.type)
  out[#out + 1] = flat(j)
end
gate_save(gate)
unlist_empty(sets)
return out
