// The scheduler: at each tick, every schedule whose next due time has come submits its runs (as
// core/schedule_plan.h plans them) and moves on, in one write fenced by the due time it read, so
// that a due time fires once however many ticks or nodes see it.
#include <string>

#include "core/schedule_plan.h"
#include "core/schedule_rules.h"
#include "engine/engine_impl.h"

namespace jobq {

namespace {

constexpr std::size_t kDueChunk = 100;

struct Fired {
  std::vector<SubmitOutcome> submitted;
  std::optional<Finished> cancelled;  // the previous run's job, by Overlap::cancel_previous
  std::optional<Error> problem;       // why its runs were not made
};

Error schedule_error(const std::string& name, const Error& e) {
  return Error(e.code(), "schedule " + name + ": " + e.message(),
               e.within("schedules." + name).field());
}

}  // namespace

Result<Job> Engine::Impl::make_run(const Schedule& s, Millis due, Millis now) const {
  JobSpec spec = s.spec.job;
  spec.tags.push_back(schedule_tag(s.spec.name));
  // A run's key is its schedule and due time: a second submit of the same run is the first.
  if (due > 0) spec.idempotency_key = "schedule:" + s.spec.name + ":" + std::to_string(due);
  return make_job(spec, now);
}

Result<std::size_t> Engine::Impl::fire_due_schedules(Millis now, std::vector<Error>& problems) {
  auto due = store.due_schedules(now, kDueChunk);
  if (!due) return due.error();
  std::size_t submitted = 0;
  for (const Schedule& seen : *due) {
    auto fired = store.write([&](WriteGroup& g) -> Result<Fired> {
      auto current = g.current_schedule(seen.spec.name);
      if (!current) return current.error();
      // Deleted, paused or fired since it was read: nothing to do.
      if (!*current || (*current)->spec.paused || (*current)->next_run_at != seen.next_run_at)
        return Fired{};
      const Schedule& s = **current;
      Fired out;
      auto cron = CronSchedule::parse(s.spec.cron, s.spec.timezone);
      if (!cron) {
        // Accepted once, refused now (the system's tzdata lost its zone): it stops, and says so.
        out.problem = schedule_error(s.spec.name, cron.error());
        auto stopped = g.fire_schedule({s.spec.name, s.next_run_at, {}, 0, s.last_run_at, now});
        if (!stopped) return stopped.error();
        return out;
      }
      RunPlan plan = plan_runs(s, *cron, now);
      ScheduleFire fire{s.spec.name, s.next_run_at, {}, plan.next_run_at, s.last_run_at, now};
      std::vector<Millis> runs = plan.runs;
      bool cancel_previous = false;
      if (!runs.empty() && s.spec.overlap != Overlap::allow) {
        // Each run but the last would overlap the one before it at once.
        runs.erase(runs.begin(), runs.end() - 1);
        if (!s.last_job_id.empty()) {
          auto previous = g.current(s.last_job_id);
          if (!previous) return previous.error();
          if (*previous && is_active((*previous)->status)) {
            if (s.spec.overlap == Overlap::skip)
              runs.clear();
            else
              cancel_previous = true;
          }
        }
      }
      for (Millis run : runs) {
        auto job = make_run(s, run, now);
        if (!job) {
          // A template the limits now refuse would be refused at every due time: these runs are
          // dropped, reported, and the schedule goes on to its next one.
          out.problem = schedule_error(s.spec.name, job.error().within("job"));
          fire.jobs.clear();
          fire.last_run_at = s.last_run_at;
          cancel_previous = false;
          break;
        }
        fire.jobs.push_back(std::move(*job));
        fire.last_run_at = run;
      }
      auto stored = g.fire_schedule(std::move(fire));
      if (!stored) {
        // Fired, paused, changed or deleted since it was read (another node, or a call that
        // came between on a store whose writes do not isolate): nothing is left to do.
        ErrorCode code = stored.error().code();
        if (code == ErrorCode::conflict || code == ErrorCode::not_found) return Fired{};
        return stored.error();
      }
      out.submitted = std::move(*stored);
      // After the fire, so that a fire that lost its fence cancels nothing.
      if (cancel_previous) {
        auto cancelled = add_webhooks(g, g.cancel(s.last_job_id, now, options.retention), now);
        if (!cancelled && cancelled.error().code() != ErrorCode::conflict) return cancelled.error();
        if (cancelled) out.cancelled = std::move(*cancelled);
      }
      return out;
    });
    if (!fired) return fired.error();
    if (fired->problem) problems.push_back(std::move(*fired->problem));
    if (fired->cancelled) publish_finished(fired->cancelled->job, fired->cancelled->dependents);
    std::vector<Job> created;
    for (SubmitOutcome& sub : fired->submitted)
      if (sub.created) {
        publish(EventType::submitted, sub.job);
        created.push_back(std::move(sub.job));
      }
    submitted += created.size();
    waiters->offer(created);
  }
  return submitted;
}

}  // namespace jobq
