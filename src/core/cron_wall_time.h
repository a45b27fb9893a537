// The next wall-clock time a cron expression matches, on a calendar with no time zone (internal
// to cron.cpp, which maps wall times to instants).
//
// Wall times are seconds since 1970-01-01 00:00:00 on the local calendar. The search skips a
// month, a day or an hour at a time when it cannot match, so an expression that never matches
// (`0 0 30 2 *`) costs a few hundred steps over five years, not millions.
#pragma once

#include <cstdint>
#include <optional>

#include "core/cron_fields.h"

namespace jobq {

// The first wall time at or after `from` and at or before `until` that `fields` match.
std::optional<std::int64_t> next_wall_time(const CronFields& fields, std::int64_t from,
                                           std::int64_t until);

}  // namespace jobq
