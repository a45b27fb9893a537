// The rules a submit must meet (the engine checks them; wire/job_spec_json.h decodes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "jobq/error.h"
#include "jobq/requests.h"

namespace jobq {

struct SpecLimits {
  std::size_t max_payload_bytes = 1 << 20;
  std::size_t max_name = 128;  // type, queue, tag
  std::size_t max_tags = 32;
  std::size_t max_dependencies = 100;
  int max_attempts = 1000;
  bool callbacks = false;  // whether a callback_url is taken (the server sends webhooks)
};

// The longest delay a job or a retry may be given: ten years.
inline constexpr std::int64_t kMaxDelayMs = 10LL * 365 * 24 * 3600 * 1000;

// Queue, type and tag names: 1 to `max` letters, digits and _ - . :
Status check_name(std::string_view field, std::string_view value, std::size_t max = 128);

// A failure report's rules: retry_in_ms within 0..kMaxDelayMs, and it and count_attempt only on a
// retryable failure.
Status validate_fail(const FailReport& report);

// Every rule a job spec must meet; the error names the first field that breaks one.
// The engine is the one caller.
Status validate_spec(const JobSpec& spec, const SpecLimits& limits);

}  // namespace jobq
