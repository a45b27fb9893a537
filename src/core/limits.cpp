#include "jobq/limits.h"

namespace jobq {

std::string_view to_string(LimitScope scope) {
  return scope == LimitScope::queue ? "queue" : "type";
}

std::optional<LimitScope> limit_scope_from_string(std::string_view text) {
  if (text == "queue") return LimitScope::queue;
  if (text == "type") return LimitScope::type;
  return std::nullopt;
}

Status check_limits(const Limits& l) {
  if (l.max_running < 0 || l.max_running > kMaxRunningCap)
    return Error::invalid("max_running",
                          "must be between 0 (no cap) and " + std::to_string(kMaxRunningCap));
  if (l.starts.count < 0 || l.starts.count > kMaxRateCount)
    return Error::invalid("starts.count",
                          "must be between 0 (no limit) and " + std::to_string(kMaxRateCount));
  if (l.starts.count > 0 && (l.starts.period_ms < 1 || l.starts.period_ms > kMaxRatePeriodMs))
    return Error::invalid("starts.period_ms", "must be between 1 and " +
                                                  std::to_string(kMaxRatePeriodMs) + " (31 days)");
  if (l.starts.count == 0 && l.starts.period_ms != 0)
    return Error::invalid("starts.count", "is required with starts.period_ms");
  return {};
}

}  // namespace jobq
