#include "wire/job_spec_json.h"

#include <algorithm>
#include <boost/json.hpp>

#include "core/priority.h"
#include "wire/field_reader.h"
#include "wire/job_json.h"
#include "wire/json_values.h"
#include "wire/strict_json.h"

namespace jobq {

namespace json = boost::json;

namespace {

// The engine checks the range; this only keeps an out-of-range value out of range in an int.
int within_int(std::int64_t n) {
  return int(std::clamp<std::int64_t>(n, INT32_MIN, INT32_MAX));
}

Result<Backoff> backoff_request(const json::value& v, std::string_view field) {
  return backoff_from_json(v, field, UnknownFields::refused);
}

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

Result<JobSpec> job_spec_from_json(const json::value& v) {
  if (!v.is_object()) return Error::invalid("body", "a job must be a JSON object");
  JobSpec s;
  std::optional<std::int64_t> max_attempts;
  FieldReader in(v.get_object());
  in.read("type", s.type)
      .read("queue", s.queue)
      .read("priority", s.priority, priority_from_json)
      .read_json("payload", s.payload)
      .read("max_attempts", max_attempts)
      .read("backoff", s.backoff, backoff_request)
      .read("timeout_ms", s.timeout_ms)
      .read("soft_timeout_ms", s.soft_timeout_ms)
      .read("delay_ms", s.delay_ms)
      .read_time("run_at", s.run_at)
      .read("tier", s.tier);
  read_submitted_labels(in, s);
  if (Status st = in.finish(); !st.ok()) return st;
  // A null is no default here: a client that sends "priority": null has a bug to hear about.
  for (const auto& [key, value] : v.get_object())
    if (value.is_null() && key != "payload")
      return Error::invalid(std::string(key), "must not be null");
  if (max_attempts) s.max_attempts = within_int(*max_attempts);
  s.payload_is_checked_json = true;  // written by the serializer from the value parsed above
  return s;
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
  if (!s.tier.empty()) o["tier"] = s.tier;
  if (!s.tags.empty()) o["tags"] = strings(s.tags);
  if (!s.idempotency_key.empty()) o["idempotency_key"] = s.idempotency_key;
  if (!s.depends_on.empty()) o["depends_on"] = strings(s.depends_on);
  if (!s.callback_url.empty()) o["callback_url"] = s.callback_url;
  if (s.result_ttl_ms) o["result_ttl_ms"] = s.result_ttl_ms;
  return o;
}

}  // namespace jobq
