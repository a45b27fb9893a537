// A cron schedule: at each due time of its expression, in its time zone, it submits a job made from
// its template. Field names match the API's (docs/api.md "Schedules").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jobq/clock.h"
#include "jobq/requests.h"

namespace jobq {

// What a due time does while the job of the schedule's previous run is unfinished.
enum class Overlap {
  allow,            // submits another
  skip,             // submits nothing this time
  cancel_previous,  // cancels the previous run's job, then submits
};

// What happens to due times missed while nothing fired them (jobqd was stopped): a due time is
// missed once it is more than kMisfireGraceMs old.
enum class Misfire {
  skip,      // none of them runs; the schedule goes on from now
  run_once,  // one run, for the latest of them
  run_all,   // one run for each, up to misfire_limit (the latest ones)
};

inline constexpr Millis kMisfireGraceMs = 60'000;

// The parts a user gives.
struct ScheduleSpec {
  std::string name;  // 1 to 128 letters, digits and _ - . :
  std::string cron;
  std::string timezone = "UTC";
  JobSpec job;  // the template: every job field but delay_ms, run_at, depends_on, idempotency_key
  Overlap overlap = Overlap::allow;
  Misfire misfire = Misfire::run_once;
  int misfire_limit = 100;  // 1..1000: the most runs Misfire::run_all makes at once
  bool paused = false;
};

struct Schedule {
  ScheduleSpec spec;
  Millis next_run_at = 0;   // the next due time; while paused, the one it would have
  Millis last_run_at = 0;   // the due time of the last run; 0 if it never ran
  std::string last_job_id;  // the job of the last run
  Millis created_at = 0;
  Millis updated_at = 0;
};

// A partial update (PATCH): what is set replaces the schedule's own.
struct SchedulePatch {
  std::optional<std::string> cron, timezone;
  std::optional<JobSpec> job;
  std::optional<Overlap> overlap;
  std::optional<Misfire> misfire;
  std::optional<int> misfire_limit;
  std::optional<bool> paused;
};

std::string_view to_string(Overlap o);
std::string_view to_string(Misfire m);
std::optional<Overlap> overlap_from_string(std::string_view s);
std::optional<Misfire> misfire_from_string(std::string_view s);

// The tag every job a schedule submits carries ("schedule:NAME"), for finding its runs.
std::string schedule_tag(std::string_view name);

}  // namespace jobq
