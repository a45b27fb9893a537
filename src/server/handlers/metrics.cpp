// GET /metrics: Prometheus text, open like /health so that scrapers need no key.
#include "server/api.h"

namespace jobq::server {

namespace {

Reply metrics(Api& api, const Call&) {
  auto stats = api.engine.stats();
  if (!stats) return error_reply(stats.error());
  auto alive = api.workers.alive();
  if (!alive) return error_reply(alive.error());
  auto outbox = api.engine.count_deliveries();
  if (!outbox) return error_reply(outbox.error());
  return {200, api.metrics.render(*stats, *alive, api.engine.waiting_leases(), *outbox),
          "text/plain; version=0.0.4; charset=utf-8"};
}

}  // namespace

void add_metrics_routes(Router& r, Api& api) {
  r.add("GET", "/metrics", Access::open, answer_now(api, metrics));
  r.add("GET", "/api/v1/metrics", Access::open, answer_now(api, metrics));
}

}  // namespace jobq::server
