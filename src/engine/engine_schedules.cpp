// Cron schedules as a user keeps them: create, change, pause, delete, read, trigger. The firing at
// due times is the scheduler's (scheduler.cpp).
#include "core/schedule_rules.h"
#include "engine/engine_impl.h"

namespace jobq {

namespace {

Error no_schedule(const std::string& name) {
  return Error::not_found("no schedule named " + name);
}

// The schedule's rules, and its template's payload as JSON (a decoder may have checked it).
Result<CronSchedule> checked(const ScheduleSpec& spec, const SpecLimits& limits) {
  auto cron = validate_schedule(spec, limits);
  if (!cron) return cron;
  if (!spec.job.payload_is_checked_json)
    if (Status s = check_json(spec.job.payload, "job.payload"); !s.ok()) return s;
  return cron;
}

// The first due time after `now`; an expression that is never due again is refused.
Result<Millis> first_due(const CronSchedule& cron, Millis now) {
  if (auto t = cron.next_after(now)) return *t;
  return Error::invalid("cron", "\"" + cron.expression() + "\" is not due within five years");
}

}  // namespace

Result<Schedule> Engine::create_schedule(const ScheduleSpec& spec) {
  Impl& d = *impl_;
  auto cron = checked(spec, d.limits());
  if (!cron) return cron.error();
  Millis now = d.clock.now();
  auto next = first_due(*cron, now);
  if (!next) return next.error();
  Schedule s;
  s.spec = spec;
  s.next_run_at = *next;
  s.created_at = s.updated_at = now;
  if (Status st = d.store.write([&](WriteGroup& g) { return g.insert_schedule(s); }); !st.ok())
    return st;
  return s;
}

Result<Schedule> Engine::update_schedule(const std::string& name, const SchedulePatch& patch) {
  // A run fired between the read and the write (on redis, by another node; on the memory store,
  // by the sweeper's tick) makes the write a conflict; read again. The sqlite store isolates a
  // write, and never conflicts here.
  for (int attempt = 1;; ++attempt) {
    auto updated = impl_->update_schedule_once(name, patch);
    if (updated || updated.error().code() != ErrorCode::conflict || attempt == 3) return updated;
  }
}

Result<Schedule> Engine::Impl::update_schedule_once(const std::string& name,
                                                    const SchedulePatch& patch) {
  Millis now = clock.now();
  return store.write([&](WriteGroup& g) -> Result<Schedule> {
    auto current = g.current_schedule(name);
    if (!current) return current.error();
    if (!*current) return no_schedule(name);
    Schedule s = **current;
    ScheduleSpec& spec = s.spec;
    bool retime = (patch.cron && *patch.cron != spec.cron) ||
                  (patch.timezone && *patch.timezone != spec.timezone) ||
                  (patch.paused && !*patch.paused && spec.paused);
    if (patch.cron) spec.cron = *patch.cron;
    if (patch.timezone) spec.timezone = *patch.timezone;
    if (patch.job) spec.job = *patch.job;
    if (patch.overlap) spec.overlap = *patch.overlap;
    if (patch.misfire) spec.misfire = *patch.misfire;
    if (patch.misfire_limit) spec.misfire_limit = *patch.misfire_limit;
    if (patch.paused) spec.paused = *patch.paused;
    auto cron = checked(spec, limits());
    if (!cron) return cron.error();
    if (retime) {
      auto next = first_due(*cron, now);
      if (!next) return next.error();
      s.next_run_at = *next;
    }
    s.updated_at = now;
    if (Status st = g.update_schedule(s, (*current)->next_run_at); !st.ok()) return st;
    return s;
  });
}

Result<Schedule> Engine::delete_schedule(const std::string& name) {
  return impl_->store.write([&](WriteGroup& g) { return g.remove_schedule(name); });
}

Result<Schedule> Engine::get_schedule(const std::string& name) {
  auto s = impl_->store.get_schedule(name);
  if (!s) return s.error();
  if (!*s) return no_schedule(name);
  return std::move(**s);
}

Result<std::vector<Schedule>> Engine::list_schedules() {
  return impl_->store.list_schedules();
}

Result<SubmitOutcome> Engine::trigger_schedule(const std::string& name) {
  Impl& d = *impl_;
  auto s = get_schedule(name);
  if (!s) return s.error();
  auto job = d.make_run(*s, 0, d.clock.now());
  if (!job) return job.error();
  std::vector<Job> jobs;
  jobs.push_back(std::move(*job));
  auto submitted = wait_for<std::vector<SubmitOutcome>>(
      [&](Done<std::vector<SubmitOutcome>> done) { d.submit_jobs(std::move(jobs), done); });
  if (!submitted) return submitted.error();
  return std::move(submitted->front());
}

}  // namespace jobq
