// The worker's calls: lease, heartbeat, complete, fail, release, ack and beats.
#include <boost/json.hpp>

#include "client/client_calls.h"
#include "core/time_format.h"
#include "wire/job_json.h"
#include "wire/json_values.h"
#include "wire/strict_json.h"

namespace jobq {

namespace json = boost::json;

namespace {

// A result given as JSON text, checked before it is sent.
ApiResult<json::value> result_value(const std::string& text, const std::string& field) {
  auto v = parse_json(text.empty() ? "null" : text, field);
  if (!v) return ApiError(0, "invalid_argument", v.error().message(), field);
  return std::move(*v);
}

json::object lease_json(const LeaseRequest& r, std::chrono::milliseconds wait) {
  json::object body{{"worker_id", r.worker_id},
                    {"queues", strings_to_json(r.queues)},
                    {"max_jobs", r.max_jobs},
                    {"lease_ms", r.lease_ms},
                    {"wait_ms", wait.count()}};
  if (!r.types.empty()) body["types"] = strings_to_json(r.types);
  return body;
}

}  // namespace

ApiResult<std::vector<Job>> Client::lease(const LeaseRequest& r, std::chrono::milliseconds wait,
                                          std::stop_token stop) {
  return jobs_answer(send("POST", "/api/v1/lease", json::value(lease_json(r, wait)), wait, stop));
}

ApiResult<HeartbeatReply> Client::heartbeat(const std::string& id, const std::string& token,
                                            const Progress& p) {
  json::object body{{"lease_token", token}};
  if (p.progress) body["progress"] = number_to_json(*p.progress);
  if (p.message) body["progress_message"] = *p.message;
  if (p.stage) body["stage"] = *p.stage;
  if (p.processed_items) body["processed_items"] = *p.processed_items;
  if (p.total_items) body["total_items"] = *p.total_items;
  auto answer = call("POST", job_path(id, "/heartbeat"), json::value(std::move(body)));
  if (!answer) return answer.error();
  if (!answer->is_object()) return ApiError(0, "bad_answer", "a heartbeat answer is an object");
  const json::object& o = answer->get_object();
  HeartbeatReply reply;
  if (auto* v = o.if_contains("cancel_requested"); v && v->is_bool())
    reply.cancel_requested = v->get_bool();
  if (auto* v = o.if_contains("soft_timeout_passed"); v && v->is_bool())
    reply.soft_timeout_passed = v->get_bool();
  if (auto* v = o.if_contains("lease_expires_at"); v && !v->is_null()) {
    auto t = as_time(*v, "lease_expires_at");
    if (!t) return bad_answer("heartbeat", t.error());
    reply.lease_expires_at = *t;
  }
  return reply;
}

ApiResult<Job> Client::complete(const std::string& id, const std::string& token,
                                const std::string& result_json) {
  auto result = result_value(result_json, "result");
  if (!result) return result.error();
  json::object body{{"lease_token", token}, {"result", std::move(*result)}};
  return job_answer(call("POST", job_path(id, "/complete"), json::value(std::move(body))));
}

ApiResult<Job> Client::fail(const std::string& id, const std::string& token,
                            const std::string& message, const std::string& traceback,
                            bool retryable) {
  json::object body{{"lease_token", token}, {"error", message}, {"retryable", retryable}};
  if (!traceback.empty()) body["traceback"] = traceback;
  return job_answer(call("POST", job_path(id, "/fail"), json::value(std::move(body))));
}

namespace {

// POST /ack's body; `order` maps each answer entry (completions first, then failures) to its item.
ApiResult<json::object> ack_body(const std::vector<AckItem>& items,
                                 std::vector<std::size_t>& order) {
  json::array completes, fails;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const AckItem& item = items[i];
    if (!item.error.empty()) continue;
    auto result =
        result_value(item.result_json, "complete[" + std::to_string(completes.size()) + "].result");
    if (!result) return result.error();
    completes.emplace_back(json::object{
        {"id", item.id}, {"lease_token", item.lease_token}, {"result", std::move(*result)}});
    order.push_back(i);
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    const AckItem& item = items[i];
    if (item.error.empty()) continue;
    json::object f{{"id", item.id},
                   {"lease_token", item.lease_token},
                   {"error", item.error},
                   {"retryable", item.retryable}};
    if (!item.traceback.empty()) f["traceback"] = item.traceback;
    fails.emplace_back(std::move(f));
    order.push_back(i);
  }
  return json::object{{"complete", std::move(completes)}, {"fail", std::move(fails)}};
}

// The entries of an /ack answer, one per item; `entry` turns an ok entry into T.
template <class T, class Entry>
ApiResult<std::vector<ApiResult<T>>> ack_entries(const json::value& answer, std::size_t n,
                                                 const std::vector<std::size_t>& order,
                                                 Entry entry) {
  const json::value* results =
      answer.is_object() ? answer.get_object().if_contains("results") : nullptr;
  if (!results || !results->is_array() || results->get_array().size() != n)
    return ApiError(0, "bad_answer", "an ack answer has one result per item");
  std::vector<ApiResult<T>> out(n, ApiError(0, "bad_answer", "missing"));
  for (std::size_t k = 0; k < order.size(); ++k) {
    const json::object* o = results->get_array()[k].if_object();
    if (!o) return ApiError(0, "bad_answer", "an ack result is an object");
    const json::value* ok = o->if_contains("ok");
    if (ok && ok->is_bool() && ok->get_bool()) {
      out[order[k]] = entry(*o);
      continue;
    }
    // One item's answer has no status of its own: it is the one its code has on a route.
    const json::value* e = o->if_contains("error");
    const json::value* code = e && e->is_object() ? e->get_object().if_contains("code") : nullptr;
    std::string_view name = code && code->is_string() ? code->get_string() : "";
    int status = name == "not_found"           ? 404
                 : name == "invalid_argument"  ? 400
                 : name == "payload_too_large" ? 413
                 : name == "unavailable"       ? 503
                                               : 409;
    out[order[k]] =
        error_from_answer(status, e ? json::serialize(json::object{{"error", *e}}) : std::string());
  }
  return out;
}

}  // namespace

ApiResult<std::vector<ApiResult<Job>>> Client::ack(const std::vector<AckItem>& items) {
  std::vector<std::size_t> order;
  auto body = ack_body(items, order);
  if (!body) return body.error();
  auto answer = call("POST", "/api/v1/ack", json::value(std::move(*body)));
  if (!answer) return answer.error();
  return ack_entries<Job>(*answer, items.size(), order,
                          [](const json::object& o) -> ApiResult<Job> {
                            const json::value* job = o.if_contains("job");
                            return job ? job_answer(*job) : ApiError(0, "bad_answer", "no job");
                          });
}

ApiResult<AckAndLease> Client::ack_and_lease(const std::vector<AckItem>& items,
                                             const LeaseRequest& lease,
                                             std::chrono::milliseconds wait, std::stop_token stop) {
  std::vector<std::size_t> order;
  auto body = ack_body(items, order);
  if (!body) return body.error();
  (*body)["lease"] = lease_json(lease, wait);
  (*body)["answer"] = "ids";
  auto answer = send("POST", "/api/v1/ack", json::value(std::move(*body)), wait, stop);
  if (!answer) return answer.error();
  auto entries = ack_entries<bool>(*answer, items.size(), order,
                                   [](const json::object&) -> ApiResult<bool> { return true; });
  if (!entries) return entries.error();
  AckAndLease out;
  for (auto& e : *entries) out.results.push_back(e ? ApiStatus{} : e.error());
  const json::object& o = answer->get_object();
  if (const json::value* e = o.if_contains("lease_error"); e && e->is_object())
    out.lease_error = error_from_answer(503, json::serialize(json::object{{"error", *e}}));
  auto jobs = jobs_answer(*answer);
  if (!jobs) return jobs.error();
  out.jobs = std::move(*jobs);
  return out;
}

ApiResult<Job> Client::release(const std::string& id, const std::string& token) {
  return job_answer(
      call("POST", job_path(id, "/release"), json::value(json::object{{"lease_token", token}})));
}

ApiResult<WorkerOrders> Client::beat(const WorkerBeat& b) {
  json::object body{{"types", strings_to_json(b.types)},
                    {"queues", strings_to_json(b.queues)},
                    {"concurrency", b.concurrency},
                    {"running", b.running},
                    {"host", b.host},
                    {"pid", b.pid},
                    {"version", b.version}};
  auto answer =
      call("POST", "/api/v1/workers/" + encode(b.id) + "/beat", json::value(std::move(body)));
  if (!answer) return answer.error();
  const json::object* o = answer->if_object();
  const json::value* command = o ? o->if_contains("command") : nullptr;
  const json::value* concurrency = o ? o->if_contains("concurrency") : nullptr;
  if (!command || !command->is_string() || !concurrency || !concurrency->is_int64())
    return ApiError(0, "bad_answer", "a beat answer has command and concurrency");
  WorkerOrders orders;
  std::string_view c = command->get_string();
  if (c == "run")
    orders.command = WorkerCommand::run;
  else if (c == "quiet")
    orders.command = WorkerCommand::quiet;
  else if (c == "stop")
    orders.command = WorkerCommand::stop;
  else
    return ApiError(0, "bad_answer", "unknown worker command \"" + std::string(c) + "\"");
  orders.concurrency = int(concurrency->get_int64());
  return orders;
}

}  // namespace jobq
