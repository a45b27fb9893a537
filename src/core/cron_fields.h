// A cron expression read into one set of allowed values per field (internal to cron.cpp).
//
// Parsing is all of the syntax: macros, names, ranges, steps and lists become bits, so matching a
// calendar time is a few bit tests and the search in cron_wall_time.h can skip what cannot match.
#pragma once

#include <cstdint>
#include <string_view>

#include "jobq/error.h"

namespace jobq {

struct CronFields {
  std::uint64_t seconds = 0;   // bit s for second s (0-59); only bit 0 in a 5-field expression
  std::uint64_t minutes = 0;   // bit m for minute m (0-59)
  std::uint32_t hours = 0;     // bit h for hour h (0-23)
  std::uint32_t days = 0;      // bit d for day of month d (1-31)
  std::uint32_t months = 0;    // bit m for month m (1-12)
  std::uint32_t weekdays = 0;  // bit w for weekday w, 0 = Sunday (6 = Saturday)
  // A day field written `*`: the other day field alone decides (the Vixie rule, see cron.h).
  bool any_day_of_month = false;
  bool any_day_of_week = false;

  bool every_hour() const { return hours == (std::uint32_t{1} << 24) - 1; }
};

// Errors name the field "cron"; the message says which cron field is wrong and why.
Result<CronFields> parse_cron_fields(std::string_view expression);

}  // namespace jobq
