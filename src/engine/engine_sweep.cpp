// The engine's time-driven work: promotion, cron schedules (scheduler.cpp), lease expiry and
// timeouts, retention.
#include "engine/engine_impl.h"

namespace jobq {

namespace {

constexpr std::size_t kChunk = 1000;

std::size_t count_of(std::size_t n) {
  return n;
}
std::size_t count_of(const std::vector<Job>& jobs) {
  return jobs.size();
}

// Runs `step` (a write that handles at most kChunk, answering a count or the jobs it changed) in
// writes of its own until one handles fewer; `each` gets every answer. How many were handled.
// A long list (a lowered cap, a backlog after downtime) is worked through without one huge write.
template <class Step, class Each>
Result<std::size_t> in_chunks(Store& store, Step step, Each each) {
  std::size_t total = 0;
  for (;;) {
    auto done = store.write([&](WriteGroup& g) { return step(g); });
    if (!done) return done.error();
    std::size_t n = count_of(*done);
    each(*done);
    total += n;
    if (n < kChunk) return total;
  }
}

template <class Step>
Result<std::size_t> in_chunks(Store& store, Step step) {
  return in_chunks(store, step, [](const auto&) {});
}

}  // namespace

Result<TickReport> Engine::tick() {
  Impl& d = *impl_;
  TickReport report;
  auto turn = d.store.claim_sweeps();
  if (!turn) return turn.error();
  if (!*turn) {
    report.skipped = true;
    return report;
  }
  Millis now = d.clock.now();
  auto promoted = in_chunks(
      d.store, [&](WriteGroup& g) { return g.promote_due(now, kChunk); },
      [&](std::vector<Job>& jobs) {
        d.publish_all(EventType::queued, jobs);
        d.waiters->offer(jobs);
      });
  if (!promoted) return promoted.error();
  report.promoted = *promoted;

  auto scheduled = d.fire_due_schedules(now, report.schedule_errors);
  if (!scheduled) return scheduled.error();
  report.scheduled = *scheduled;

  auto expired = d.expire_overdue(now);
  if (!expired) return expired.error();
  report.expired = *expired;

  auto purged = in_chunks(
      d.store, [&](WriteGroup& g) { return g.purge_expired(now, kChunk); },
      [&](std::vector<Job>& jobs) { d.publish_all(EventType::purged, jobs); });
  if (!purged) return purged.error();
  report.purged += *purged;
  auto trimmed = d.trim_dead_letters();
  if (!trimmed) return trimmed.error();
  report.purged += *trimmed;
  auto quotas = in_chunks(d.store, [&](WriteGroup& g) { return g.purge_quotas(now, kChunk); });
  if (!quotas) return quotas.error();

  // Even with webhooks off: another node's hooks may have left debts here (they are paid empty).
  auto repaid = d.repay_webhooks(now);
  if (!repaid) return repaid.error();
  if (d.options.webhooks.enabled) {
    Millis before = now - d.options.webhooks.dead_retention_ms;
    auto dead =
        in_chunks(d.store, [&](WriteGroup& g) { return g.purge_deliveries(before, kChunk); });
    if (!dead) return dead.error();
  }

  // A rate's bucket refills with time, and on a shared store another node's job may have
  // stopped: waiting leases look again.
  auto limits = d.store.limits();
  if (!limits) return limits.error();
  d.note_limits(*limits);
  if (d.any_limits()) d.wake_waiters();
  return report;
}

// Each queue with a cap of its own first, then all queues together; a cap of 0 is none.
Result<std::size_t> Engine::Impl::trim_dead_letters() {
  std::vector<std::pair<std::size_t, std::string>> caps;
  for (const auto& [queue, own] : options.retention.queues)
    if (own.dead_letter_cap.value_or(0) > 0) caps.emplace_back(*own.dead_letter_cap, queue);
  if (options.retention.dead_letter_cap > 0)
    caps.emplace_back(options.retention.dead_letter_cap, "");
  std::size_t total = 0;
  for (const auto& limit : caps) {  // not a structured binding: clang 14 cannot capture one
    auto trimmed = in_chunks(
        store,
        [&](WriteGroup& g) { return g.trim_dead_letters(limit.first, limit.second, kChunk); },
        [&](std::vector<Job>& jobs) { publish_all(EventType::purged, jobs); });
    if (!trimmed) return trimmed.error();
    total += *trimmed;
  }
  return total;
}

// A lost lease or a passed hard timeout is a failed attempt like any other, so a job that kills
// its worker ends in the dead letters after max_attempts instead of looping.
Result<std::size_t> Engine::Impl::expire_overdue(Millis now) {
  std::size_t expired = 0;
  for (;;) {
    auto overdue = store.overdue(now, kChunk);
    if (!overdue) return overdue.error();
    for (Job& job : *overdue) {
      bool timed_out = job.timeout_ms > 0 && job.started_at + job.timeout_ms <= now;
      std::string token = job.lease_token;
      FailReport report{timed_out ? "timed out" : "lease expired"};
      auto done = attempt_ended(
          store.write([&](WriteGroup& g) { return end_attempt(g, job, token, report, now); }));
      if (done) ++expired;
      // A conflict means the worker finished in between: nothing to expire.
      else if (done.error().code() != ErrorCode::conflict)
        return done.error();
    }
    if (overdue->size() < kChunk) return expired;
  }
}

Result<std::size_t> Engine::purge(Millis before, std::vector<JobStatus> statuses) {
  if (statuses.empty()) statuses = {JobStatus::completed, JobStatus::failed, JobStatus::cancelled};
  for (JobStatus s : statuses)
    if (!is_terminal(s))
      return Error::invalid("statuses",
                            "only finished jobs (completed, failed, cancelled) can be purged");
  return in_chunks(
      impl_->store, [&](WriteGroup& g) { return g.purge(before, statuses, kChunk); },
      [&](std::vector<Job>& jobs) { impl_->publish_all(EventType::purged, jobs); });
}

}  // namespace jobq
