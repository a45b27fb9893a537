// Operators' numbers: counts by status, queue and type; run times and success rate per type;
// and purging finished jobs by age.
#include <boost/json.hpp>

#include "core/job_json.h"
#include "server/api.h"
#include "server/request/field_reader.h"

namespace jobq::server {

namespace json = boost::json;

namespace {

json::object counts_json(const std::int64_t* counts) {
  json::object o;
  for (int s = 0; s < kJobStatusCount; ++s) o[to_string(JobStatus(s))] = counts[s];
  return o;
}

json::object rates_json(const Rates& r) {
  return {{"completed_per_s", number_to_json(r.completed_per_s)},
          {"failed_per_s", number_to_json(r.failed_per_s)}};
}

json::object type_json(const TypeStats& t, const Rates& rates) {
  bool ran = t.finished_runs > 0;
  return {{"type", t.type},
          {"counts", counts_json(t.counts)},
          {"last_minute", rates_json(rates)},
          {"finished_runs", t.finished_runs},
          // null, not 0, for a type with no finished attempt: "no data" is not "all failed"
          {"mean_run_ms", ran ? number_to_json(t.mean_run_ms) : json::value()},
          {"p95_run_ms", ran ? number_to_json(t.p95_run_ms) : json::value()},
          {"success_rate", ran ? number_to_json(t.success_rate) : json::value()}};
}

Reply all_stats(Api& api, const Call&) {
  auto stats = api.engine.stats();
  if (!stats) return error_reply(stats.error());
  json::object queues;
  for (const auto& [queue, counts] : stats->by_queue) queues[queue] = counts_json(counts.data());
  json::array types;
  for (const auto& t : stats->by_type)
    types.emplace_back(type_json(t, api.throughput.of_type(t.type)));
  return json_reply(200, json::object{{"by_status", counts_json(stats->by_status)},
                                      {"last_minute", rates_json(api.throughput.total())},
                                      {"queues", std::move(queues)},
                                      {"types", std::move(types)}});
}

Reply type_stats(Api& api, const Call& call) {
  auto stats = api.engine.stats();
  if (!stats) return error_reply(stats.error());
  const std::string& type = call.param("type");
  for (const auto& t : stats->by_type)
    if (t.type == type) return json_reply(200, type_json(t, api.throughput.of_type(type)));
  return error_reply(Error::not_found("no jobs of type " + type));
}

Reply purge(Api& api, const Call& call) {
  auto body = body_object(call);
  if (!body) return error_reply(body.error());
  std::int64_t older_than_s = 0;
  std::vector<std::string> names = {"completed", "cancelled"};
  FieldReader in(*body);
  in.read("older_than_s", older_than_s)
      .read("statuses", names)
      .check(older_than_s >= 0, "older_than_s", "must be >= 0");
  if (Status s = in.finish(); !s.ok()) return error_reply(s);
  std::vector<JobStatus> statuses;
  for (const auto& name : names) {
    auto s = parse_status(name);
    if (!s || !is_terminal(*s))
      return error_reply(Error::invalid("statuses", "\"" + name +
                                                        "\" is not a finished status; use "
                                                        "completed, failed or cancelled"));
    statuses.push_back(*s);
  }
  Millis before = api.engine.clock().now() - older_than_s * 1000 + (older_than_s == 0);
  auto purged = api.engine.purge(before, statuses);
  if (!purged) return error_reply(purged.error());
  return json_reply(200, json::object{{"purged", *purged}});
}

// The dashboard's chart: finished attempts per second over the last 15 minutes.
Reply throughput(Api& api, const Call&) {
  json::array seconds;
  for (const SecondCount& s : api.throughput.history())
    seconds.emplace_back(json::array{s.second, s.completed, s.failed});
  return json_reply(200, json::object{{"window_s", Throughput::kHistorySeconds},
                                      {"seconds", std::move(seconds)}});
}

}  // namespace

void add_stats_routes(Router& r, Api& api) {
  r.add("GET", "/api/v1/stats", Access::read, answer_now(api, all_stats));
  r.add("GET", "/api/v1/stats/{type}", Access::read, answer_now(api, type_stats));
  r.add("POST", "/api/v1/maintenance/purge", Access::operate, answer_now(api, purge));
  r.add("GET", "/api/v1/throughput", Access::read, answer_now(api, throughput),
        {.never_blocks = true});
}

}  // namespace jobq::server
