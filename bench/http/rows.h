// The rows of http_bench, one family to a file; each starts its own jobqd (binary) over a fresh
// store of `kind`, runs for at most `limit` (plus kHardGrace before its client is stopped by
// force), and returns its row of the table.
#pragma once

#include <string>

#include "http/common.h"

namespace bench {

// http/submits.cpp, "ceiling": n GET /api/v1/health on `conns` connections, memory store.
Row round_trips(const std::string& binary, int n, int conns, Steady::duration limit);
// http/submits.cpp, "submits" and "batch": n jobs, one per POST /jobs (batch 1) or in POST
// /jobs/batch of `batch`, on `conns` connections.
Row submits(const std::string& binary, const StoreKind& kind, int n, int batch, int conns,
            Steady::duration limit);
// http/lifecycles.cpp, "lifecycles" and "batched": n jobs submitted, leased and completed.
Row lifecycles(const std::string& binary, const StoreKind& kind, int n, bool batched,
               Steady::duration limit);
// http/latency.cpp, "latency": submit to a waiting long-poll lease, `samples` times.
Row latency(const std::string& binary, const StoreKind& kind, int samples, Steady::duration limit);
// http/fanout.cpp, "ws": `jobs` submitted events fanned out to `watchers` WebSocket watchers.
Row fanout(const std::string& binary, const StoreKind& kind, int watchers, int jobs,
           Steady::duration limit);

}  // namespace bench
