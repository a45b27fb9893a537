#include "core/priority.h"

namespace jobq {

std::optional<int> priority_from_alias(std::string_view alias) {
  if (alias == "low") return 10;
  if (alias == "normal") return 50;
  if (alias == "high") return 80;
  if (alias == "critical") return 100;
  return std::nullopt;
}

Status check_priority(int priority) {
  if (priority < kMinPriority || priority > kMaxPriority)
    return Error::invalid("priority", "must be between " + std::to_string(kMinPriority) + " and " +
                                          std::to_string(kMaxPriority));
  return {};
}

}  // namespace jobq
