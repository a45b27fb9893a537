#include "core/schedule_rules.h"

namespace jobq {

Result<CronSchedule> validate_schedule(const ScheduleSpec& s, const SpecLimits& limits) {
  if (Status st = check_name("name", s.name, kMaxScheduleName); !st.ok()) return st;
  auto cron = CronSchedule::parse(s.cron, s.timezone);
  if (!cron) return cron.error();
  // Each run's time and identity are the schedule's to give.
  const JobSpec& job = s.job;
  if (job.delay_ms || job.run_at)
    return Error::invalid(job.delay_ms ? "job.delay_ms" : "job.run_at",
                          "a schedule's job runs at each due time: give no delay_ms or run_at");
  if (!job.depends_on.empty())
    return Error::invalid("job.depends_on", "a schedule's job cannot depend on other jobs");
  if (!job.idempotency_key.empty())
    return Error::invalid("job.idempotency_key",
                          "each run's key is the schedule's name and due time");
  SpecLimits one_tag_less = limits;
  one_tag_less.max_tags -= 1;  // the schedule's own tag
  if (Status st = validate_spec(job, one_tag_less); !st.ok()) return st.within("job");
  if (s.misfire_limit < 1 || s.misfire_limit > kMaxMisfireLimit)
    return Error::invalid("misfire_limit",
                          "must be between 1 and " + std::to_string(kMaxMisfireLimit));
  return cron;
}

}  // namespace jobq
