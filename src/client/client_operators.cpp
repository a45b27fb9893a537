// The operator's calls: queues, workers, dead letters and stats.
#include <boost/json.hpp>

#include "client/client_calls.h"
#include "wire/json_values.h"

namespace jobq {

namespace json = boost::json;

ApiResult<json::value> Client::queues() {
  return call("GET", "/api/v1/queues");
}

ApiResult<json::value> Client::pause_queue(const std::string& queue) {
  return call("POST", "/api/v1/queues/" + encode(queue) + "/pause");
}

ApiResult<json::value> Client::resume_queue(const std::string& queue) {
  return call("POST", "/api/v1/queues/" + encode(queue) + "/resume");
}

ApiResult<json::value> Client::workers() {
  return call("GET", "/api/v1/workers");
}

ApiResult<json::value> Client::scale_worker(const std::string& id, int concurrency) {
  return call("POST", "/api/v1/workers/" + encode(id) + "/scale",
              json::value(json::object{{"concurrency", concurrency}}));
}

ApiResult<json::value> Client::quiet_worker(const std::string& id) {
  return call("POST", "/api/v1/workers/" + encode(id) + "/quiet");
}

ApiResult<json::value> Client::stop_worker(const std::string& id) {
  return call("POST", "/api/v1/workers/" + encode(id) + "/stop");
}

ApiResult<JobPage> Client::dead_letters(const JobFilter& filter, const ListOptions& options) {
  JobFilter f = filter;
  f.statuses.clear();  // the route takes no status: every dead letter is failed
  return page_answer(call("GET", "/api/v1/dead-letters" + list_query(f, options)));
}

ApiResult<Job> Client::retry_dead_letter(const std::string& id) {
  return job_answer(call("POST", "/api/v1/dead-letters/" + encode(id) + "/retry"));
}

ApiResult<std::vector<Job>> Client::retry_dead_letters(const JobFilter& f) {
  json::object body;
  if (!f.queue.empty()) body["queue"] = f.queue;
  if (!f.type.empty()) body["type"] = f.type;
  if (!f.user_id.empty()) body["user_id"] = f.user_id;
  if (!f.tag.empty()) body["tag"] = f.tag;
  return jobs_answer(call("POST", "/api/v1/dead-letters/retry", json::value(std::move(body))));
}

ApiResult<std::int64_t> Client::purge_dead_letters() {
  auto answer = call("DELETE", "/api/v1/dead-letters");
  if (!answer) return answer.error();
  const json::value* n = answer->is_object() ? answer->get_object().if_contains("purged") : nullptr;
  if (!n) return ApiError(0, "bad_answer", "a purge answer has `purged`");
  auto count = as_int(*n, "purged");
  if (!count) return bad_answer("purge", count.error());
  return *count;
}

ApiResult<json::value> Client::stats() {
  return call("GET", "/api/v1/stats");
}

ApiResult<json::value> Client::type_stats(const std::string& type) {
  return call("GET", "/api/v1/stats/" + encode(type));
}

}  // namespace jobq
