// Limits on how jobs start: at most so many running, and at most so many starts per period, for
// the jobs of one queue or of one type (in every queue). A lease skips the ready jobs a limit
// holds back and takes the next ones it may.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jobq/error.h"
#include "jobq/job.h"

namespace jobq {

// At most `count` per `period_ms`: bursts of up to `count`, then one more every
// period_ms / count (a token bucket that refills steadily). count 0: no limit.
struct Rate {
  std::int64_t count = 0;
  Millis period_ms = 0;
  bool operator==(const Rate&) const = default;
};

struct Limits {
  std::int64_t max_running = 0;  // 0: no cap
  Rate starts;                   // starts per period
  bool none() const { return max_running == 0 && starts.count == 0; }
  bool operator==(const Limits&) const = default;
};

enum class LimitScope { queue, type };
std::string_view to_string(LimitScope scope);
// "queue" or "type"; anything else: none.
std::optional<LimitScope> limit_scope_from_string(std::string_view text);

struct LimitSetting {
  LimitScope scope = LimitScope::queue;
  std::string name;  // the queue's or the type's
  Limits limits;
};

// Bounds that keep every rate's arithmetic exact in a double (Redis' Lua has no integers).
inline constexpr std::int64_t kMaxRateCount = 1'000'000;
inline constexpr Millis kMaxRatePeriodMs = 31LL * 24 * 3600 * 1000;
inline constexpr std::int64_t kMaxRunningCap = 1'000'000'000;

// Checks limits given by a user; the error names the field.
Status check_limits(const Limits& limits);

}  // namespace jobq
