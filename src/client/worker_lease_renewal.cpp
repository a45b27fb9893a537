// The heartbeat thread: every running job's lease renewed, its progress carried (throttled), its
// cancellation and timeouts brought to the handler, and jobs handed back when a stop's grace ends.
#include <algorithm>

#include "client/worker_runtime.h"

namespace jobq {

using std::chrono::milliseconds;

// The heartbeat thread: renews leases, sends throttled progress, brings notices, enforces the
// stop's grace. Ends once the worker is stopping and every slot has ended.
void Worker::Impl::renew_leases() {
  const milliseconds tick = std::min<milliseconds>(
      {options.progress_interval, options.heartbeat_interval, milliseconds(100)});
  std::unique_lock lock(mutex);
  while (true) {
    if (state == WorkerState::stopping && slots_alive == 0) break;
    changed.wait_for(lock, tick);
    auto now = steady::now();
    bool hand_back_all = state == WorkerState::stopping && now >= stop_deadline;
    std::vector<std::shared_ptr<Active>> due, giving_back;
    for (auto& [id, a] : active) {
      if (a->handed_back) continue;
      if (hand_back_all) {
        a->handed_back = true;
        giving_back.push_back(a);
        continue;
      }
      due.push_back(a);
    }
    lock.unlock();
    for (auto& a : giving_back) {
      a->context->request_stop(StopReason::worker_stopping);
      hand_back(a->id, a->token, "the worker stopped before the job finished");
    }
    for (auto& a : due) {
      watch_time(*a, now);
      bool progress =
          a->context->has_progress() && now >= a->last_progress + options.progress_interval;
      if (progress || now >= a->next_heartbeat) beat_job(*a, now);
    }
    lock.lock();
  }
  state = WorkerState::stopped;
  changed.notify_all();
}

// The job's own limits, seen locally so the handler hears of them without waiting for a
// heartbeat: the hard timeout asks it to stop; the soft one is a notice (the server's answer
// to a heartbeat says so too).
void Worker::Impl::watch_time(Active& a, steady::time_point now) {
  JobContext& c = *a.context;
  const Job& job = c.job();
  if (auto d = c.deadline(); d && now >= *d) c.request_stop(StopReason::timed_out);
  if (job.soft_timeout_ms > 0 && now >= a.started + milliseconds(job.soft_timeout_ms))
    c.notice_soft_timeout();
}

void Worker::Impl::beat_job(Active& a, steady::time_point now) {
  JobContext& c = *a.context;
  std::lock_guard send(a.send);
  if (a.finished) return;
  Progress p = c.take_progress().value_or(Progress{});
  auto reply = source.heartbeat(a.id, a.token, p);
  a.next_heartbeat = now + options.heartbeat_interval;
  a.last_progress = now;
  if (!reply) {
    if (lease_gone(reply.error()))
      c.request_stop(StopReason::lease_lost);
    else
      report(reply.error(), "heartbeat of job " + a.id);
    return;
  }
  if (reply->cancel_requested) c.request_stop(StopReason::cancel_requested);
  if (reply->soft_timeout_passed) c.notice_soft_timeout();
}

}  // namespace jobq
