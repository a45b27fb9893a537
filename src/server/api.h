// The REST API under /api/v1: what the handlers share, and the route table they fill.
#pragma once

#include <functional>

#include "jobq/engine.h"
#include "server/live/job_watchers.h"
#include "server/live/metrics.h"
#include "server/live/stream_hub.h"
#include "server/live/throughput.h"
#include "server/live/worker_registry.h"
#include "server/request/router.h"
#include "server/transport/timers.h"

namespace jobq::server {

struct ApiLimits {
  std::int64_t max_wait_ms = 300'000;  // longest long poll
};

struct Api {
  Engine& engine;
  Timers& timers;
  JobWatchers& watchers;
  StreamHub& streams;
  WorkerRegistry& workers;
  Throughput& throughput;
  Metrics& metrics;
  // Runs slow work (a store read) off the I/O threads.
  std::function<void(std::function<void()>)> run_blocking;
  ApiLimits limits;
  std::function<bool()> ready;  // the store answers
};

// The job as JSON with `status`, or the error.
Reply job_reply(const Result<Job>& job, int status = 200);

// The two kinds of handler a resource registers, each a plain function given the Api:
//   r.add("GET", "/api/v1/jobs", Access::read, answer_now(api, list));
//   r.add("POST", "/api/v1/lease", Access::work, answer_later(api, lease), {.long_poll = true});
// One that answers at once with the Reply it returns:
Handler answer_now(Api& api, Reply (*fn)(Api&, const Call&));
// One that answers through `respond`, perhaps later (a long poll, the engine's *_async calls).
Handler answer_later(Api& api, void (*fn)(Api&, const Call&, Responder));

// One per resource, each in handlers/<resource>.cpp.
void add_job_routes(Router& router, Api& api);
void add_job_wait_routes(Router& router, Api& api);
void add_lease_routes(Router& router, Api& api);
void add_worker_call_routes(Router& router, Api& api);
void add_ack_routes(Router& router, Api& api);
void add_dead_letter_routes(Router& router, Api& api);
void add_stats_routes(Router& router, Api& api);
void add_health_routes(Router& router, Api& api);
void add_openapi_routes(Router& router, Api& api);
void add_worker_routes(Router& router, Api& api);
void add_queue_routes(Router& router, Api& api);
void add_schedule_routes(Router& router, Api& api);
void add_webhook_routes(Router& router, Api& api);
void add_tier_routes(Router& router, Api& api);
void add_metrics_routes(Router& router, Api& api);
void add_stream_routes(Router& router, Api& api);
void add_whoami_routes(Router& router, Api& api);
void add_dashboard_routes(Router& router, Api& api);

Router make_router(Api& api);

}  // namespace jobq::server
