// Exponential backoff with full jitter.
#pragma once

#include <cstdint>

#include "jobq/job.h"

namespace jobq {

// The delay before the next attempt after `failures` failed attempts (failures >= 1):
// cap = min(max_ms, initial_ms * factor^(failures-1)); with jitter the delay is uniform in
// [0, cap] drawn from `random` (any 64-bit value), without it exactly cap.
std::int64_t backoff_delay_ms(const Backoff& backoff, int failures, std::uint64_t random);

// Checks a backoff given by a user; the message names the field.
const char* backoff_problem(const Backoff& backoff);

// A small, fast generator for jitter (splitmix64). Not thread-safe.
std::uint64_t next_random(std::uint64_t& state);

}  // namespace jobq
