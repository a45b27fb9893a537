// Changes asked for outside a lease: cancel, retry, remove, update, and pausing queues.
#include "core/priority.h"
#include "engine/engine_impl.h"

namespace jobq {

Result<Job> Engine::cancel(const std::string& id) {
  Impl& d = *impl_;
  Millis now = d.clock.now();
  auto done = d.store.write([&](WriteGroup& g) {
    return d.add_webhooks(g, g.cancel(id, now, d.options.retention), now);
  });
  if (!done) return done.error();
  d.publish_finished(done->job, done->dependents);
  return std::move(done->job);
}

Result<Job> Engine::retry(const std::string& id) {
  Impl& d = *impl_;
  Millis now = d.clock.now();
  auto retried = d.store.write([&](WriteGroup& g) { return g.retry(id, now); });
  if (!retried) return retried.error();
  d.publish(EventType::queued, *retried);
  d.waiters->offer({*retried});
  return retried;
}

Result<Job> Engine::remove(const std::string& id) {
  auto removed = impl_->store.write([&](WriteGroup& g) { return g.remove(id); });
  if (!removed) return removed.error();
  impl_->publish(EventType::purged, *removed);
  return removed;
}

Result<std::vector<Job>> Engine::retry_where(JobFilter filter) {
  if (filter.statuses.empty()) filter.statuses = {JobStatus::failed};
  for (JobStatus s : filter.statuses)
    if (s != JobStatus::failed && s != JobStatus::cancelled)
      return Error::invalid("status", "only failed and cancelled jobs can be retried");
  Impl& d = *impl_;
  Millis now = d.clock.now();
  auto retried = d.store.write([&](WriteGroup& g) { return g.retry_where(filter, now); });
  if (!retried) return retried.error();
  d.publish_all(EventType::queued, *retried);
  d.waiters->offer(*retried);
  return retried;
}

Result<Job> Engine::update(const std::string& id, std::optional<int> priority,
                           std::optional<Millis> run_at) {
  if (priority)
    if (Status s = check_priority(*priority); !s.ok()) return s;
  if (run_at && *run_at < 0) return Error::invalid("run_at", "must not be before 1970");
  Impl& d = *impl_;
  Millis now = d.clock.now();
  auto job = d.store.write([&](WriteGroup& g) { return g.update(id, priority, run_at, now); });
  if (!job) return job.error();
  d.publish(EventType::updated, *job);
  d.waiters->offer({*job});
  return job;
}

Status Engine::pause_queue(const std::string& queue) {
  return impl_->store.write([&](WriteGroup& g) { return g.set_queue_paused(queue, true); });
}

Status Engine::resume_queue(const std::string& queue) {
  Status s = impl_->store.write([&](WriteGroup& g) { return g.set_queue_paused(queue, false); });
  if (s.ok()) impl_->wake_waiters();
  return s;
}

}  // namespace jobq
