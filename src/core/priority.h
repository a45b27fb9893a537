// Priority: 0..100, higher runs first. Inputs may also use the aliases low, normal, high, critical.
#pragma once

#include <optional>
#include <string_view>

#include "jobq/error.h"

namespace jobq {

inline constexpr int kMinPriority = 0;
inline constexpr int kMaxPriority = 100;

// low=10 normal=50 high=80 critical=100; nullopt for anything else.
std::optional<int> priority_from_alias(std::string_view alias);

// The one range check: an error naming "priority" outside kMinPriority..kMaxPriority.
Status check_priority(int priority);

}  // namespace jobq
