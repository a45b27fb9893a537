// Queues: their depth by status, and pausing and resuming them.
#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "core/job_spec.h"
#include "server/api.h"

namespace jobq::server {

namespace json = boost::json;

namespace {

json::object queue_json(const std::string& name, const std::vector<std::int64_t>* counts,
                        bool paused) {
  json::object c;
  for (int s = 0; s < kJobStatusCount; ++s) c[to_string(JobStatus(s))] = counts ? (*counts)[s] : 0;
  return {{"name", name}, {"counts", std::move(c)}, {"paused", paused}};
}

// Every queue that holds jobs or is paused, by name.
Result<json::array> queues(Api& api, const std::string* only = nullptr) {
  auto stats = api.engine.stats();
  if (!stats) return stats.error();
  auto paused = api.engine.paused_queues();
  if (!paused) return paused.error();
  std::set<std::string> names(paused->begin(), paused->end());
  for (const auto& [name, counts] : stats->by_queue) names.insert(name);
  if (only) names = {*only};
  json::array out;
  for (const auto& name : names) {
    const std::vector<std::int64_t>* counts = nullptr;
    for (const auto& [q, c] : stats->by_queue)
      if (q == name) counts = &c;
    bool is_paused = std::find(paused->begin(), paused->end(), name) != paused->end();
    out.emplace_back(queue_json(name, counts, is_paused));
  }
  return out;
}

Reply list(Api& api, const Call&) {
  auto all = queues(api);
  if (!all) return error_reply(all.error());
  return json_reply(200, json::object{{"queues", std::move(*all)}});
}

Reply set_paused(Api& api, const Call& call, bool paused) {
  const std::string& name = call.param("queue");
  if (Status s = check_name("queue", name); !s.ok()) return error_reply(s);
  Status s = paused ? api.engine.pause_queue(name) : api.engine.resume_queue(name);
  if (!s.ok()) return error_reply(s);
  auto one = queues(api, &name);
  if (!one) return error_reply(one.error());
  return json_reply(200, one->front());
}

}  // namespace

void add_queue_routes(Router& r, Api& api) {
  r.add("GET", "/api/v1/queues", Access::read, answer_now(api, list));
  r.add("POST", "/api/v1/queues/{queue}/pause", Access::operate,
        answer_now(api, [](Api& a, const Call& c) { return set_paused(a, c, true); }));
  r.add("POST", "/api/v1/queues/{queue}/resume", Access::operate,
        answer_now(api, [](Api& a, const Call& c) { return set_paused(a, c, false); }));
}

}  // namespace jobq::server
