#include "server/api.h"

#include "wire/job_json.h"

namespace jobq::server {

Reply job_reply(const Result<Job>& job, int status) {
  if (!job) return error_reply(job.error());
  return {status, job_json_text(*job)};
}

Handler answer_now(Api& api, Reply (*fn)(Api&, const Call&)) {
  return [&api, fn](const Call& call, Responder respond) { respond(fn(api, call)); };
}

Handler answer_later(Api& api, void (*fn)(Api&, const Call&, Responder)) {
  return [&api, fn](const Call& call, Responder respond) { fn(api, call, std::move(respond)); };
}

Router make_router(Api& api) {
  Router router;
  add_health_routes(router, api);
  add_job_routes(router, api);
  add_job_wait_routes(router, api);
  add_lease_routes(router, api);
  add_worker_call_routes(router, api);
  add_ack_routes(router, api);
  add_dead_letter_routes(router, api);
  add_stats_routes(router, api);
  add_openapi_routes(router, api);
  add_worker_routes(router, api);
  add_queue_routes(router, api);
  add_schedule_routes(router, api);
  add_webhook_routes(router, api);
  add_tier_routes(router, api);
  add_metrics_routes(router, api);
  add_stream_routes(router, api);
  add_whoami_routes(router, api);
  add_dashboard_routes(router, api);
  return router;
}

}  // namespace jobq::server
