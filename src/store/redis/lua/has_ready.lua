#!lua flags=no-writes
-- Store::has_ready. ARGV: now, a count and the queues, a count and the types (none: any type),
-- then the users' caps (common.lua's caps_at).
-- Answers {'ok', 1} if a lease would get a job, else {'ok', 0}.
local queues, types = {}, {}
for i = 1, num(ARGV[2]) do queues[i] = ARGV[2 + i] end
local at = #queues + 3
for i = 1, num(ARGV[at]) do types[i] = ARGV[at + i] end
local caps = caps_at(at + #types + 1)
return {'ok', best_ready(ready_sets(queues, types), gate_open(ARGV[1]), caps) and 1 or 0}
