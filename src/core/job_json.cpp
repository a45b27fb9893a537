#include "core/job_json.h"

#include <boost/json.hpp>
#include <cmath>

#include "core/time_format.h"

namespace jobq {

namespace json = boost::json;

namespace {

json::value time_or_null(Millis t) {
  return t ? json::value(format_time(t)) : json::value(nullptr);
}

json::value string_or_null(const std::string& s) {
  return s.empty() ? json::value(nullptr) : json::value(s);
}

// Stored JSON text back to a value; the store only ever holds text that parsed on submit.
json::value raw(const std::string& text) {
  if (text.empty()) return nullptr;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  return ec ? json::value(text) : v;
}

json::array strings(const std::vector<std::string>& items) {
  json::array a;
  for (const auto& s : items) a.emplace_back(s);
  return a;
}

}  // namespace

json::value number_to_json(double x) {
  if (std::isfinite(x) && x == std::floor(x) && std::abs(x) < 9e15) return std::int64_t(x);
  return x;
}

json::object backoff_to_json(const Backoff& b) {
  return {{"initial_ms", b.initial_ms},
          {"factor", number_to_json(b.factor)},
          {"max_ms", b.max_ms},
          {"jitter", b.jitter}};
}

json::object error_to_json(const JobError& e) {
  return {{"message", e.message},
          {"traceback", string_or_null(e.traceback)},
          {"attempt", e.attempt},
          {"at", time_or_null(e.at)}};
}

json::object job_to_json(const Job& j, bool with_lease_token) {
  json::object o;
  o["id"] = j.id;
  o["type"] = j.type;
  o["queue"] = j.queue;
  o["priority"] = j.priority;
  o["payload"] = raw(j.payload);
  o["status"] = std::string(to_string(j.status));
  o["stage"] = string_or_null(j.stage);
  o["progress"] = number_to_json(j.progress);
  o["progress_message"] = string_or_null(j.progress_message);
  o["processed_items"] = j.processed_items ? json::value(*j.processed_items) : json::value(nullptr);
  o["total_items"] = j.total_items ? json::value(*j.total_items) : json::value(nullptr);
  o["attempt"] = j.attempt;
  o["max_attempts"] = j.max_attempts;
  o["backoff"] = backoff_to_json(j.backoff);
  o["timeout_ms"] = j.timeout_ms;
  o["soft_timeout_ms"] = j.soft_timeout_ms;
  o["run_at"] = time_or_null(j.run_at);
  o["worker_id"] = string_or_null(j.worker_id);
  o["lease_expires_at"] = time_or_null(j.lease_expires_at);
  if (with_lease_token) o["lease_token"] = j.lease_token;
  o["cancel_requested"] = j.cancel_requested;
  o["result"] = raw(j.result);
  o["error"] = j.error() ? json::value(error_to_json(*j.error())) : json::value(nullptr);
  json::array errors;
  for (const auto& e : j.errors) errors.emplace_back(error_to_json(e));
  o["errors"] = std::move(errors);
  o["user_id"] = string_or_null(j.user_id);
  o["tags"] = strings(j.tags);
  o["idempotency_key"] = string_or_null(j.idempotency_key);
  o["depends_on"] = strings(j.depends_on);
  o["callback_url"] = string_or_null(j.callback_url);
  o["created_at"] = time_or_null(j.created_at);
  o["updated_at"] = time_or_null(j.updated_at);
  o["started_at"] = time_or_null(j.started_at);
  o["completed_at"] = time_or_null(j.completed_at);
  o["expires_at"] = time_or_null(j.expires_at);
  return o;
}

}  // namespace jobq
