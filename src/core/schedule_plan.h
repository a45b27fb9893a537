// Which due times of a schedule run now: the ones on time, and the missed ones its misfire policy
// keeps. Pure: the engine's scheduler (src/engine/scheduler.cpp) applies the plan in one write.
#pragma once

#include <vector>

#include "core/cron.h"
#include "jobq/schedule.h"

namespace jobq {

struct RunPlan {
  std::vector<Millis> runs;  // due times to submit a job for, oldest first
  Millis next_run_at = 0;    // the first due time after now; 0 if there is none
};

// For a schedule whose next_run_at <= now. Due times more than kMisfireGraceMs before `now` are
// missed and go by the misfire policy; later ones all run (with Misfire::run_all, misfire_limit
// bounds the whole: the latest ones).
RunPlan plan_runs(const Schedule& schedule, const CronSchedule& cron, Millis now);

}  // namespace jobq
