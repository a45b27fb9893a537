#include "wire/job_json.h"

#include <boost/json.hpp>

#include "core/time_format.h"
#include "wire/field_reader.h"
#include "wire/json_text.h"
#include "wire/json_values.h"

namespace jobq {

namespace json = boost::json;

json::array strings_to_json(const std::vector<std::string>& items) {
  json::array a;
  for (const auto& s : items) a.emplace_back(s);
  return a;
}

json::value number_to_json(double x) {
  if (writes_as_integer(x)) return std::int64_t(x);
  return x;
}

namespace {

// 1 (full jitter) and 0 (none) are written as true and false, as they were before fractions.
json::value jitter_to_json(double jitter) {
  if (jitter >= 1) return true;
  if (jitter <= 0) return false;
  return jitter;
}

}  // namespace

json::object backoff_to_json(const Backoff& b) {
  return {{"initial_ms", b.initial_ms},
          {"factor", number_to_json(b.factor)},
          {"max_ms", b.max_ms},
          {"jitter", jitter_to_json(b.jitter)}};
}

namespace {

void write_time(JsonText& w, Millis t) {
  if (t)
    w.string(format_time(t));
  else
    w.null();
}

void write_optional(JsonText& w, const std::optional<std::int64_t>& n) {
  if (n)
    w.integer(*n);
  else
    w.null();
}

void write_strings(JsonText& w, const std::vector<std::string>& items) {
  w.begin_array();
  for (const auto& s : items) w.string(s);
  w.end_array();
}

void write_error(JsonText& w, const JobError& e) {
  w.begin_object().key("message").string(e.message).key("traceback").string_or_null(e.traceback);
  w.key("attempt").integer(e.attempt).key("at");
  write_time(w, e.at);
  w.end_object();
}

}  // namespace

void write_job(JsonText& w, const Job& j, bool with_lease_token) {
  w.begin_object();
  w.key("id").string(j.id).key("type").string(j.type).key("queue").string(j.queue);
  w.key("priority").integer(j.priority);
  // The store holds only payloads and results that parsed when they came in.
  w.key("payload").raw(j.payload);
  w.key("status").string(to_string(j.status));
  w.key("stage").string_or_null(j.stage);
  w.key("progress").number(j.progress);
  w.key("progress_message").string_or_null(j.progress_message);
  w.key("processed_items");
  write_optional(w, j.processed_items);
  w.key("total_items");
  write_optional(w, j.total_items);
  w.key("attempt").integer(j.attempt).key("max_attempts").integer(j.max_attempts);
  w.key("backoff").begin_object();
  w.key("initial_ms").integer(j.backoff.initial_ms).key("factor").number(j.backoff.factor);
  w.key("max_ms").integer(j.backoff.max_ms).key("jitter");
  if (j.backoff.jitter > 0 && j.backoff.jitter < 1)
    w.number(j.backoff.jitter);
  else
    w.boolean(j.backoff.jitter >= 1);
  w.end_object();
  w.key("timeout_ms").integer(j.timeout_ms).key("soft_timeout_ms").integer(j.soft_timeout_ms);
  w.key("run_at");
  write_time(w, j.run_at);
  w.key("worker_id").string_or_null(j.worker_id);
  w.key("lease_expires_at");
  write_time(w, j.lease_expires_at);
  if (with_lease_token) w.key("lease_token").string(j.lease_token);
  w.key("cancel_requested").boolean(j.cancel_requested);
  w.key("result").raw(j.result);
  w.key("error");
  if (const JobError* e = j.error())
    write_error(w, *e);
  else
    w.null();
  w.key("errors").begin_array();
  for (const auto& e : j.errors) write_error(w, e);
  w.end_array();
  w.key("user_id").string_or_null(j.user_id);
  w.key("tier").string_or_null(j.tier);
  w.key("tags");
  write_strings(w, j.tags);
  w.key("idempotency_key").string_or_null(j.idempotency_key);
  w.key("depends_on");
  write_strings(w, j.depends_on);
  w.key("callback_url").string_or_null(j.callback_url);
  w.key("result_ttl_ms").integer(j.result_ttl_ms);
  w.key("created_at");
  write_time(w, j.created_at);
  w.key("updated_at");
  write_time(w, j.updated_at);
  w.key("started_at");
  write_time(w, j.started_at);
  w.key("completed_at");
  write_time(w, j.completed_at);
  w.key("expires_at");
  write_time(w, j.expires_at);
  w.end_object();
}

std::string job_json_text(const Job& job, bool with_lease_token) {
  std::string out;
  out.reserve(900 + job.payload.size() + job.result.size());
  JsonText w(out);
  write_job(w, job, with_lease_token);
  return out;
}

json::object job_to_json(const Job& job, bool with_lease_token) {
  // One field list, the writer's: the value is read back from its text. Our own text, so deeper
  // than a payload may be (a payload inside a job) is fine.
  json::parse_options options;
  options.max_depth = 1024;
  return std::move(json::parse(job_json_text(job, with_lease_token), {}, options).as_object());
}

}  // namespace jobq

namespace jobq {

namespace {

// A nested object read field by field into a T; `unknown` says what a field nobody read is.
template <class T, class Read>
Result<T> object_from_json(const json::value& v, std::string_view field, UnknownFields unknown,
                           Read read) {
  if (!v.is_object()) return Error::invalid(std::string(field), "must be an object");
  T out;
  FieldReader in(v.get_object(), std::string(field) + ".");
  read(in, out);
  if (Status s = unknown == UnknownFields::refused ? in.finish() : in.status(); !s.ok()) return s;
  return out;
}

Result<JobError> error_from_json(const json::value& v, std::string_view field) {
  return object_from_json<JobError>(v, field, UnknownFields::ignored,
                                    [](FieldReader& in, JobError& e) {
                                      in.read("message", e.message)
                                          .read("traceback", e.traceback)
                                          .read("attempt", e.attempt)
                                          .read_time("at", e.at);
                                    });
}

}  // namespace

Result<Backoff> backoff_from_json(const json::value& v, std::string_view field,
                                  UnknownFields unknown) {
  return object_from_json<Backoff>(v, field, unknown, [](FieldReader& in, Backoff& b) {
    in.read("initial_ms", b.initial_ms)
        .read("factor", b.factor)
        .read("max_ms", b.max_ms)
        .read("jitter", b.jitter, [](const json::value& v, std::string_view f) -> Result<double> {
          // true is full jitter (1 inside), false none; a number is a fraction either side.
          if (v.is_bool()) return v.get_bool() ? 1.0 : 0.0;
          if (v.is_number()) {
            double x = v.to_number<double>();
            if (x >= 0 && x < 1) return x;
          }
          return Error::invalid(std::string(f),
                                "must be true (full jitter), false (none) or a fraction from 0 to "
                                "below 1 (0.1 is plus or minus 10 %)");
        });
  });
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
      .read("tier", j.tier);
  read_submitted_labels(in, j)
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
