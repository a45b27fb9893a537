// The rows of http_bench, one family to a file; each starts its own jobqd (binary) over a fresh
// store of `kind`, runs for at most `limit` (plus kHardGrace before its client is stopped by
// force), and returns its row of the table.
#pragma once

#include <string>
#include <vector>

#include "http/common.h"
#include "http/jobqd.h"

namespace bench {

// http/submits.cpp, "ceiling": n GET /api/v1/health on `conns` connections, memory store.
Row round_trips(const std::string& binary, int n, int conns, Steady::duration limit);
// http/submits.cpp, "submits" and "batch": n jobs, one per POST /jobs (batch 1) or in POST
// /jobs/batch of `batch`, on `conns` connections.
Row submits(const std::string& binary, const StoreKind& kind, int n, int batch, int conns,
            Steady::duration limit);
Row submits(Servers& servers, int n, int batch, int conns, Steady::duration limit);
// How the clients of a lifecycle row take their steps.
enum class Steps {
  one_call_each,  // POST /jobs; POST /lease (max_jobs 1); POST /jobs/{id}/complete
  worker_loop,    // POST /jobs; POST /ack completing the job and leasing the next (max_jobs 1),
                  // as a worker does (and BullMQ's Worker: moveToFinished fetches the next job)
  batched,        // POST /jobs/batch of 100; POST /lease of up to 100; one POST /ack per lease
};
// http/lifecycles.cpp, "lifecycles" and "batched": n jobs submitted, leased and completed, by
// clients spread over `nodes` jobqd (several only on the redis store; the row "nodes").
Row lifecycles(const std::string& binary, const StoreKind& kind, int n, Steps steps,
               Steady::duration limit, int nodes = 1);
// The same on servers already running (the row "bullmq" runs BullMQ on the same redis-server).
Row lifecycles(Servers& servers, int n, Steps steps, Steady::duration limit);
// http/latency.cpp, "latency": submit to a waiting long-poll lease, `samples` times; with two
// nodes, the lease waits on one and the submit goes to the other.
Row latency(const std::string& binary, const StoreKind& kind, int samples, Steady::duration limit,
            int nodes = 1);
Row latency(Servers& servers, int samples, Steady::duration limit);
// http/listing.cpp, "listing": a redis store filled with n jobs (within fill_limit), then up to
// `pages` pages of 50 for each of several filters and orders, with the jobs each page loaded.
std::vector<Row> listing(const std::string& binary, int n, int pages, Steady::duration fill_limit,
                         Steady::duration limit);
// http/bullmq.cpp, "bullmq": jobq on one redis-server, then BullMQ (bench/peers/bullmq) on the
// same one after a FLUSHALL, for each workload: lifecycles one call per step and batched, submit
// to a waiting worker, and Redis memory per queued job; each BullMQ row gives the ratio.
std::vector<Row> versus_bullmq(const std::string& binary, int lifecycles_single,
                               int lifecycles_batched, int latency_samples, int queued_jobs,
                               Steady::duration limit);
// http/fanout.cpp, "ws": `jobs` submitted events fanned out to `watchers` WebSocket watchers.
Row fanout(const std::string& binary, const StoreKind& kind, int watchers, int jobs,
           Steady::duration limit);

}  // namespace bench
