// Exponential backoff with jitter: full, a fraction either side, or none.
#pragma once

#include <cstdint>

#include "jobq/job.h"

namespace jobq {

// The delay before the next attempt after `failures` failed attempts (failures >= 1):
// cap = min(max_ms, initial_ms * factor^(failures-1)); then jittered as Backoff says, drawn from
// `random` (any 64-bit value).
std::int64_t backoff_delay_ms(const Backoff& backoff, int failures, std::uint64_t random);

// Checks a backoff given by a user; the message names the field.
const char* backoff_problem(const Backoff& backoff);

// A small, fast generator for jitter (splitmix64). Not thread-safe.
std::uint64_t next_random(std::uint64_t& state);

}  // namespace jobq
