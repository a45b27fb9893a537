#include "core/backoff.h"

#include <algorithm>
#include <cmath>

namespace jobq {

std::int64_t backoff_delay_ms(const Backoff& b, int failures, std::uint64_t random) {
  double cap = double(b.initial_ms) * std::pow(b.factor, std::max(0, failures - 1));
  // pow may overflow to inf for large attempt counts; the cap keeps it finite.
  std::int64_t ceiling = cap >= double(b.max_ms) ? b.max_ms : std::int64_t(cap);
  ceiling = std::max<std::int64_t>(0, ceiling);
  if (b.jitter <= 0 || ceiling == 0) return ceiling;
  if (b.jitter >= 1) return std::int64_t(random % std::uint64_t(ceiling + 1));
  // d ± f·d: a uniform draw from the 53 random bits a double holds.
  double unit = double(random >> 11) * 0x1.0p-53;  // [0, 1)
  double delay = double(ceiling) * (1.0 - b.jitter + 2.0 * b.jitter * unit);
  return std::clamp<std::int64_t>(std::llround(delay), 0, b.max_ms);
}

const char* backoff_problem(const Backoff& b) {
  if (b.initial_ms < 0) return "backoff.initial_ms must be >= 0";
  if (!(b.factor >= 1.0) || b.factor > 100.0) return "backoff.factor must be between 1 and 100";
  if (b.max_ms < b.initial_ms) return "backoff.max_ms must be >= backoff.initial_ms";
  if (!(b.jitter >= 0.0 && b.jitter <= 1.0))
    return "backoff.jitter must be true, false or a fraction from 0 to 1 (0.1 is plus or minus "
           "10 %)";
  return nullptr;
}

std::uint64_t next_random(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace jobq
