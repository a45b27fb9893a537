// RFC 3339 timestamps in UTC with milliseconds: 2026-11-22T10:04:05.123Z.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "jobq/clock.h"

namespace jobq {

std::string format_time(Millis t);
// Accepts "Z" or a "+hh:mm"/"-hh:mm" offset and 0 to 9 fraction digits.
std::optional<Millis> parse_time(std::string_view text);

}  // namespace jobq
