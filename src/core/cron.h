// A cron expression in an IANA time zone, and the due times it gives.
//
// Expressions: 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first); each
// field `*`, a number, a range `a-b`, a step `*/n` or `a-b/n` or `a/n`, or a comma-separated list
// of these; months JAN-DEC and days SUN-SAT by name (any case); day-of-week 0 and 7 are Sunday.
// When both day fields are restricted, a day matches if either does (as in Vixie cron). Macros:
// @yearly (@annually), @monthly, @weekly, @daily (@midnight), @hourly.
//
// Daylight saving: a wall time the zone skips (a spring-forward gap) is due once, at the instant
// the gap ends; a wall time the zone repeats (fall back) is due at its first occurrence only,
// unless the hour field is `*` (every hour), which is about elapsed time and is due in both.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "jobq/clock.h"
#include "jobq/error.h"

namespace jobq {

class CronSchedule {
 public:
  // Errors are invalid_argument with field "cron" (the expression: which field is wrong and why)
  // or "timezone" (not a zone of the system's tzdata).
  static Result<CronSchedule> parse(std::string_view expression, std::string_view time_zone);

  // The first due time strictly after `after` (UTC milliseconds), or none if there is none within
  // five years (an expression such as `0 0 30 2 *`).
  std::optional<Millis> next_after(Millis after) const;

  const std::string& expression() const;
  const std::string& time_zone() const;

  CronSchedule(CronSchedule&&) noexcept;
  CronSchedule& operator=(CronSchedule&&) noexcept;
  CronSchedule(const CronSchedule&);
  CronSchedule& operator=(const CronSchedule&);
  ~CronSchedule();

 private:
  struct Impl;
  explicit CronSchedule(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace jobq
