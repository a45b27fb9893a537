// Job ids (UUIDv7, time ordered) and lease tokens (128 random bits). Thread-safe.
#pragma once

#include <string>

#include "jobq/clock.h"

namespace jobq {

// A UUIDv7 string whose first 48 bits are `now`; ids made by one process are strictly increasing,
// also within one millisecond (a 12-bit counter fills rand_a, RFC 9562 method 1).
std::string new_job_id(Millis now);

// 32 lowercase hex digits.
std::string new_lease_token();

bool looks_like_job_id(std::string_view id);

}  // namespace jobq
