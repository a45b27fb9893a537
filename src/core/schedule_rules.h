// The rules a schedule must meet (the engine checks them; wire/schedule_json.h decodes).
#pragma once

#include "core/cron.h"
#include "core/job_spec.h"
#include "jobq/schedule.h"

namespace jobq {

inline constexpr std::size_t kMaxScheduleName = 100;  // its tag, "schedule:NAME", is a tag name
inline constexpr int kMaxMisfireLimit = 1000;

// Every rule of a schedule's spec; -> its expression, parsed in its zone. The error names the
// field ("name", "cron", "timezone", "misfire_limit", or "job.FIELD" for the template).
Result<CronSchedule> validate_schedule(const ScheduleSpec& spec, const SpecLimits& limits);

}  // namespace jobq
