#include "core/job_spec.h"

#include <algorithm>
#include <boost/json.hpp>

#include "core/backoff.h"
#include "core/ids.h"
#include "core/job_json.h"
#include "core/json_fields.h"
#include "core/priority.h"

namespace jobq {

namespace json = boost::json;

namespace {

bool valid_name(std::string_view s, std::size_t max) {
  if (s.empty() || s.size() > max) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Status check_name(std::string_view field, std::string_view value, std::size_t max) {
  if (!valid_name(value, max))
    return Error::invalid(std::string(field), "must be 1 to " + std::to_string(max) +
                                                  " characters of letters, digits and _ - . :");
  return {};
}

namespace {

// The engine checks the range; this only keeps an out-of-range value out of range in an int.
int within_int(std::int64_t n) { return int(std::clamp<std::int64_t>(n, INT32_MIN, INT32_MAX)); }

}  // namespace

Result<int> priority_from_json(const json::value& v, std::string_view field) {
  if (v.is_string()) {
    if (auto p = priority_from_alias(v.get_string())) return *p;
    return Error::invalid(std::string(field), "unknown alias \"" + std::string(v.get_string()) +
                                                  "\"; use 0..100 or low, normal, high, critical");
  }
  auto n = as_int(v, field);
  if (!n)
    return Error::invalid(std::string(field), "must be 0..100 or low, normal, high, critical");
  return within_int(*n);
}

namespace {

Result<Backoff> as_backoff(const json::value& v) {
  if (!v.is_object()) return Error::invalid("backoff", "must be an object");
  Backoff b;
  for (const auto& [key, val] : v.get_object()) {
    std::string field = "backoff." + std::string(key);
    if (key == "initial_ms" || key == "max_ms") {
      auto n = as_int(val, field);
      if (!n) return n.error();
      (key == "initial_ms" ? b.initial_ms : b.max_ms) = *n;
    } else if (key == "factor") {
      auto f = as_number(val, field);
      if (!f) return f.error();
      b.factor = *f;
    } else if (key == "jitter") {
      auto j = as_bool(val, field);
      if (!j) return j.error();
      b.jitter = *j;
    } else {
      return Error::invalid(field, "unknown field");
    }
  }
  return b;
}

// Applies one JSON field to the spec.
Status read_field(JobSpec& s, std::string_view key, const json::value& v) {
  auto take = [](auto result, auto& into) -> Status {
    if (!result) return result.error();
    into = std::move(*result);
    return {};
  };
  if (key == "type") return take(as_string(v, key), s.type);
  if (key == "queue") return take(as_string(v, key), s.queue);
  if (key == "priority") return take(priority_from_json(v, key), s.priority);
  if (key == "payload") {
    s.payload = json::serialize(v);
    return {};
  }
  if (key == "max_attempts") {
    auto n = as_int(v, key);
    if (!n) return n.error();
    s.max_attempts = within_int(*n);
    return {};
  }
  if (key == "backoff") {
    auto b = as_backoff(v);
    if (!b) return b.error();
    s.backoff = *b;
    return {};
  }
  if (key == "timeout_ms") return take(as_int(v, key), s.timeout_ms);
  if (key == "soft_timeout_ms") return take(as_int(v, key), s.soft_timeout_ms);
  if (key == "delay_ms") {
    auto n = as_int(v, key);
    if (!n) return n.error();
    s.delay_ms = *n;
    return {};
  }
  if (key == "run_at") {
    auto t = as_time(v, key);
    if (!t) return t.error();
    s.run_at = *t;
    return {};
  }
  if (key == "user_id") return take(as_string(v, key), s.user_id);
  if (key == "tags") return take(as_strings(v, key), s.tags);
  if (key == "idempotency_key") return take(as_string(v, key), s.idempotency_key);
  if (key == "depends_on") return take(as_strings(v, key), s.depends_on);
  if (key == "callback_url") return take(as_string(v, key), s.callback_url);
  return Error::invalid(std::string(key), "unknown field");
}

}  // namespace

Status validate_fail(const FailReport& r) {
  if (r.retry_in_ms && (*r.retry_in_ms < 0 || *r.retry_in_ms > kMaxDelayMs))
    return Error::invalid("retry_in_ms", "must be between 0 and ten years");
  if (!r.retryable && r.retry_in_ms)
    return Error::invalid("retry_in_ms", "applies only to a retryable failure");
  if (!r.retryable && !r.count_attempt)
    return Error::invalid("count_attempt", "applies only to a retryable failure");
  return {};
}

Status validate_spec(const JobSpec& s, const SpecLimits& limits) {
  if (s.type.empty()) return Error::invalid("type", "is required");
  if (Status st = check_name("type", s.type, limits.max_name); !st.ok()) return st;
  if (Status st = check_name("queue", s.queue, limits.max_name); !st.ok()) return st;
  if (Status st = check_priority(s.priority); !st.ok()) return st;
  if (s.payload.size() > limits.max_payload_bytes)
    return Error(ErrorCode::payload_too_large,
                 "payload is " + std::to_string(s.payload.size()) + " bytes; the limit is " +
                     std::to_string(limits.max_payload_bytes),
                 "payload");
  if (s.max_attempts && (*s.max_attempts < 1 || *s.max_attempts > limits.max_attempts))
    return Error::invalid("max_attempts",
                          "must be between 1 and " + std::to_string(limits.max_attempts));
  if (s.backoff) {
    if (const char* problem = backoff_problem(*s.backoff))
      return Error::invalid("backoff", problem);
  }
  if (s.timeout_ms < 0) return Error::invalid("timeout_ms", "must be >= 0");
  if (s.soft_timeout_ms < 0) return Error::invalid("soft_timeout_ms", "must be >= 0");
  // A warning that comes after the hard timeout would never be seen.
  if (s.timeout_ms > 0 && s.soft_timeout_ms > s.timeout_ms)
    return Error::invalid("soft_timeout_ms", "must not be above timeout_ms");
  if (s.delay_ms && s.run_at)
    return Error::invalid("delay_ms", "give delay_ms or run_at, not both");
  if (s.delay_ms && (*s.delay_ms < 0 || *s.delay_ms > kMaxDelayMs))
    return Error::invalid("delay_ms", "must be between 0 and ten years");
  if (s.run_at && *s.run_at < 0) return Error::invalid("run_at", "must not be before 1970");
  if (s.user_id.size() > 256) return Error::invalid("user_id", "must be at most 256 characters");
  if (s.idempotency_key.size() > 256)
    return Error::invalid("idempotency_key", "must be at most 256 characters");
  if (s.tags.size() > limits.max_tags)
    return Error::invalid("tags", "at most " + std::to_string(limits.max_tags) + " tags");
  for (const auto& tag : s.tags)
    if (tag.empty() || tag.size() > limits.max_name)
      return Error::invalid(
          "tags", "each tag must be 1 to " + std::to_string(limits.max_name) + " characters");
  if (s.depends_on.size() > limits.max_dependencies)
    return Error::invalid("depends_on",
                          "at most " + std::to_string(limits.max_dependencies) + " ids");
  for (const auto& id : s.depends_on)
    if (!looks_like_job_id(id))
      return Error::invalid("depends_on", "\"" + id + "\" is not a job id");
  if (s.callback_url.size() > 2048 ||
      (!s.callback_url.empty() && s.callback_url.rfind("http://", 0) != 0 &&
       s.callback_url.rfind("https://", 0) != 0))
    return Error::invalid("callback_url", "must be an http:// or https:// URL");
  return {};
}

Result<JobSpec> job_spec_from_json(const json::value& v) {
  if (!v.is_object()) return Error::invalid("body", "a job must be a JSON object");
  JobSpec spec;
  for (const auto& [key, val] : v.get_object()) {
    if (Status s = read_field(spec, key, val); !s.ok()) return s;
  }
  return spec;
}

Result<json::object> job_spec_to_json(const JobSpec& s) {
  auto payload = parse_json(s.payload, "payload");
  if (!payload) return payload.error();
  json::object o;
  o["type"] = s.type;
  if (s.queue != "default") o["queue"] = s.queue;
  o["priority"] = s.priority;
  o["payload"] = std::move(*payload);
  if (s.max_attempts) o["max_attempts"] = *s.max_attempts;
  if (s.backoff) o["backoff"] = backoff_to_json(*s.backoff);
  if (s.timeout_ms) o["timeout_ms"] = s.timeout_ms;
  if (s.soft_timeout_ms) o["soft_timeout_ms"] = s.soft_timeout_ms;
  if (s.delay_ms) o["delay_ms"] = *s.delay_ms;
  if (s.run_at) o["run_at"] = *s.run_at;
  auto strings = [](const std::vector<std::string>& items) {
    json::array a;
    for (const auto& i : items) a.emplace_back(i);
    return a;
  };
  if (!s.user_id.empty()) o["user_id"] = s.user_id;
  if (!s.tags.empty()) o["tags"] = strings(s.tags);
  if (!s.idempotency_key.empty()) o["idempotency_key"] = s.idempotency_key;
  if (!s.depends_on.empty()) o["depends_on"] = strings(s.depends_on);
  if (!s.callback_url.empty()) o["callback_url"] = s.callback_url;
  return o;
}

}  // namespace jobq
