#include "wire/job_json.h"

#include <boost/json.hpp>
#include <cmath>

#include "core/time_format.h"
#include "wire/field_reader.h"
#include "wire/json_values.h"

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

}  // namespace

json::array strings_to_json(const std::vector<std::string>& items) {
  json::array a;
  for (const auto& s : items) a.emplace_back(s);
  return a;
}

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
  json::object o(json::object::size_type(36));  // the fields below: no rehash while filling
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
  o["tags"] = strings_to_json(j.tags);
  o["idempotency_key"] = string_or_null(j.idempotency_key);
  o["depends_on"] = strings_to_json(j.depends_on);
  o["callback_url"] = string_or_null(j.callback_url);
  o["created_at"] = time_or_null(j.created_at);
  o["updated_at"] = time_or_null(j.updated_at);
  o["started_at"] = time_or_null(j.started_at);
  o["completed_at"] = time_or_null(j.completed_at);
  o["expires_at"] = time_or_null(j.expires_at);
  return o;
}

}  // namespace jobq

namespace jobq {

namespace {

Result<JobError> error_from_json(const json::value& v, std::string_view field) {
  if (!v.is_object()) return Error::invalid(std::string(field), "must be an object");
  JobError e;
  FieldReader in(v.get_object(), std::string(field) + ".");
  in.read("message", e.message)
      .read("traceback", e.traceback)
      .read("attempt", e.attempt)
      .read_time("at", e.at);
  if (Status s = in.status(); !s.ok()) return s;
  return e;
}

}  // namespace

Result<Backoff> backoff_from_json(const json::value& v, std::string_view field,
                                  UnknownFields unknown) {
  if (!v.is_object()) return Error::invalid(std::string(field), "must be an object");
  Backoff b;
  FieldReader in(v.get_object(), std::string(field) + ".");
  in.read("initial_ms", b.initial_ms)
      .read("factor", b.factor)
      .read("max_ms", b.max_ms)
      .read("jitter", b.jitter);
  if (Status s = unknown == UnknownFields::refused ? in.finish() : in.status(); !s.ok()) return s;
  return b;
}

Result<Job> job_from_json(const json::value& v) {
  if (!v.is_object()) return Error::invalid("job", "must be a JSON object");
  const json::object& o = v.get_object();
  Job j;
  FieldReader in(o);
  in.read("id", j.id)
      .read("type", j.type)
      .read("queue", j.queue)
      .read("priority", j.priority)
      .read("status", j.status,
            [](const json::value& s, std::string_view f) -> Result<JobStatus> {
              auto name = as_string(s, f);
              if (!name) return name.error();
              if (auto st = parse_status(*name)) return *st;
              return Error::invalid(std::string(f), "unknown status \"" + *name + "\"");
            })
      .read("stage", j.stage)
      .read("progress", j.progress)
      .read("progress_message", j.progress_message)
      .read("processed_items", j.processed_items)
      .read("total_items", j.total_items)
      .read("attempt", j.attempt)
      .read("max_attempts", j.max_attempts)
      .read("backoff", j.backoff,
            [](const json::value& b, std::string_view f) { return backoff_from_json(b, f); })
      .read("timeout_ms", j.timeout_ms)
      .read("soft_timeout_ms", j.soft_timeout_ms)
      .read_time("run_at", j.run_at)
      .read("worker_id", j.worker_id)
      .read("lease_token", j.lease_token)
      .read_time("lease_expires_at", j.lease_expires_at)
      .read("cancel_requested", j.cancel_requested)
      .read("user_id", j.user_id)
      .read("tags", j.tags)
      .read("idempotency_key", j.idempotency_key)
      .read("depends_on", j.depends_on)
      .read("callback_url", j.callback_url)
      .read_time("created_at", j.created_at)
      .read_time("updated_at", j.updated_at)
      .read_time("started_at", j.started_at)
      .read_time("completed_at", j.completed_at)
      .read_time("expires_at", j.expires_at);
  if (Status s = in.status(); !s.ok()) return s;
  if (auto it = o.find("payload"); it != o.end()) j.payload = json::serialize(it->value());
  if (auto it = o.find("result"); it != o.end()) {
    if (!it->value().is_null())
      j.result = json::serialize(it->value());
    else if (j.status == JobStatus::completed)
      j.result = "null";
  }
  if (auto it = o.find("errors"); it != o.end() && !it->value().is_null()) {
    if (!it->value().is_array()) return Error::invalid("errors", "must be an array");
    for (const auto& e : it->value().get_array()) {
      auto err = error_from_json(e, "errors");
      if (!err) return err.error();
      j.errors.push_back(std::move(*err));
    }
  } else if (auto it = o.find("error"); it != o.end() && !it->value().is_null()) {
    auto err = error_from_json(it->value(), "error");
    if (!err) return err.error();
    j.errors.push_back(std::move(*err));
  }
  return j;
}

}  // namespace jobq
