#include "core/job_json.h"

#include <boost/json.hpp>
#include <cmath>

#include "core/json_fields.h"
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

// Reads one optional JSON field into `into`, leaving it as it is when absent or null.
class JobReader {
 public:
  explicit JobReader(const json::object& o) : o_(o) {}

  template <class T, class Read>
  JobReader& read(std::string_view key, T& into, Read read) {
    if (!status_.ok()) return *this;
    auto it = o_.find(key);
    if (it == o_.end() || it->value().is_null()) return *this;
    auto r = read(it->value(), key);
    if (!r) {
      status_ = r.error();
      return *this;
    }
    into = std::move(*r);
    return *this;
  }
  JobReader& text(std::string_view key, std::string& into) { return read(key, into, as_string); }
  JobReader& time(std::string_view key, Millis& into) { return read(key, into, as_time); }
  JobReader& integer(std::string_view key, std::int64_t& into) { return read(key, into, as_int); }
  JobReader& integer(std::string_view key, int& into) {
    return read(key, into, [](const json::value& v, std::string_view f) -> Result<int> {
      auto n = as_int(v, f);
      if (!n) return n.error();
      if (*n < INT32_MIN || *n > INT32_MAX) return Error::invalid(std::string(f), "out of range");
      return int(*n);
    });
  }
  Status status() const { return status_; }

 private:
  const json::object& o_;
  Status status_;
};

Result<std::optional<std::int64_t>> as_optional_int(const json::value& v, std::string_view f) {
  auto n = as_int(v, f);
  if (!n) return n.error();
  return std::optional<std::int64_t>(*n);
}

Result<JobError> error_from_json(const json::value& v, std::string_view field) {
  if (!v.is_object()) return Error::invalid(std::string(field), "must be an object");
  JobError e;
  JobReader in(v.get_object());
  in.text("message", e.message)
      .text("traceback", e.traceback)
      .integer("attempt", e.attempt)
      .time("at", e.at);
  if (Status s = in.status(); !s.ok()) return s;
  return e;
}

}  // namespace

Result<Backoff> backoff_from_json(const json::value& v, std::string_view field) {
  if (!v.is_object()) return Error::invalid(std::string(field), "must be an object");
  Backoff b;
  JobReader in(v.get_object());
  in.integer("initial_ms", b.initial_ms)
      .read("factor", b.factor, as_number)
      .integer("max_ms", b.max_ms)
      .read("jitter", b.jitter, as_bool);
  if (Status s = in.status(); !s.ok()) return s;
  return b;
}

Result<Job> job_from_json(const json::value& v) {
  if (!v.is_object()) return Error::invalid("job", "must be a JSON object");
  const json::object& o = v.get_object();
  Job j;
  JobReader in(o);
  in.text("id", j.id)
      .text("type", j.type)
      .text("queue", j.queue)
      .integer("priority", j.priority)
      .read("status", j.status,
            [](const json::value& s, std::string_view f) -> Result<JobStatus> {
              auto name = as_string(s, f);
              if (!name) return name.error();
              if (auto st = parse_status(*name)) return *st;
              return Error::invalid(std::string(f), "unknown status \"" + *name + "\"");
            })
      .text("stage", j.stage)
      .read("progress", j.progress, as_number)
      .text("progress_message", j.progress_message)
      .read("processed_items", j.processed_items, as_optional_int)
      .read("total_items", j.total_items, as_optional_int)
      .integer("attempt", j.attempt)
      .integer("max_attempts", j.max_attempts)
      .read("backoff", j.backoff, backoff_from_json)
      .integer("timeout_ms", j.timeout_ms)
      .integer("soft_timeout_ms", j.soft_timeout_ms)
      .time("run_at", j.run_at)
      .text("worker_id", j.worker_id)
      .text("lease_token", j.lease_token)
      .time("lease_expires_at", j.lease_expires_at)
      .read("cancel_requested", j.cancel_requested, as_bool)
      .text("user_id", j.user_id)
      .read("tags", j.tags, as_strings)
      .text("idempotency_key", j.idempotency_key)
      .read("depends_on", j.depends_on, as_strings)
      .text("callback_url", j.callback_url)
      .time("created_at", j.created_at)
      .time("updated_at", j.updated_at)
      .time("started_at", j.started_at)
      .time("completed_at", j.completed_at)
      .time("expires_at", j.expires_at);
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
