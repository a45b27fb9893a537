#include "core/job_spec.h"

#include "core/backoff.h"
#include "core/ids.h"
#include "core/priority.h"
#include "core/webhook_url.h"

namespace jobq {

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
  if (!s.tier.empty()) {
    if (Status t = check_name("tier", s.tier); !t.ok()) return t;
    if (s.user_id.empty()) return Error::invalid("tier", "needs a user_id: a quota is a user's");
  }
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
  if (s.result_ttl_ms < 0 || s.result_ttl_ms > kMaxDelayMs)
    return Error::invalid("result_ttl_ms",
                          "must be between 0 (the queue's retention) and ten years");
  if (!s.callback_url.empty()) {
    // A job that names a webhook must not look as if it will be called when it will not.
    if (!limits.callbacks)
      return Error::invalid("callback_url",
                            "webhooks are off on this server: it sends them once started "
                            "with a webhook_secret");
    if (Status u = check_webhook_url("callback_url", s.callback_url); !u.ok()) return u;
  }
  return {};
}

}  // namespace jobq
