// Submit input: validation of a JobSpec, and its JSON form.
#pragma once

#include <boost/json/value.hpp>
#include <cstddef>
#include <string_view>

#include "core/strict_json.h"
#include "jobq/error.h"
#include "jobq/requests.h"

namespace jobq {

struct SpecLimits {
  std::size_t max_payload_bytes = 1 << 20;
  std::size_t max_name = 128;  // type, queue, tag
  std::size_t max_tags = 32;
  std::size_t max_dependencies = 100;
  int max_attempts = 1000;
};

// The longest delay a job or a retry may be given: ten years.
inline constexpr std::int64_t kMaxDelayMs = 10LL * 365 * 24 * 3600 * 1000;

// Queue, type and tag names: 1 to `max` letters, digits and _ - . :
Status check_name(std::string_view field, std::string_view value, std::size_t max = 128);

// A failure report's rules: retry_in_ms within 0..kMaxDelayMs, and it and count_attempt only on a
// retryable failure.
Status validate_fail(const FailReport& report);

// Every rule a job spec must meet; the error names the first field that breaks one. The engine
// is the one caller: the JSON readers below only decode.
Status validate_spec(const JobSpec& spec, const SpecLimits& limits);

// A JobSpec from a JSON object with the API's field names; priority as a number or an alias,
// run_at as RFC 3339 text or milliseconds since the epoch. Unknown fields and values of the wrong
// type are refused; the rules (ranges, names, limits) are the engine's to check.
Result<JobSpec> job_spec_from_json(const boost::json::value& json);

// A priority as a number or one of the aliases low, normal, high, critical (unranged).
Result<int> priority_from_json(const boost::json::value& json,
                               std::string_view field = "priority");

// The reverse, for clients: the JSON body of a submit. Fields left at their defaults are omitted,
// so the server's defaults apply. The payload must be valid JSON text.
Result<boost::json::object> job_spec_to_json(const JobSpec& spec);

}  // namespace jobq
