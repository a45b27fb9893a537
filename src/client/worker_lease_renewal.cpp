// The heartbeat thread: every running job's lease renewed, its progress carried (throttled), its
// cancellation and timeouts brought to the handler, and jobs handed back when a stop's grace ends;
// the leases of jobs waiting ahead of the slots renewed too.
#include <algorithm>

#include "client/worker_runtime.h"

namespace jobq {

using std::chrono::milliseconds;

// The heartbeat thread: renews leases, sends throttled progress, brings notices, enforces the
// stop's grace. Ends once the worker is stopping and every other thread of its own has ended.
void Worker::Impl::renew_leases() {
  const milliseconds tick = std::min<milliseconds>(
      {options.progress_interval, options.heartbeat_interval, milliseconds(100)});
  std::unique_lock lock(mutex);
  while (true) {
    if (state == WorkerState::stopping && slots_alive == 0 && senders_alive == 0 && !leaser_alive)
      break;
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
    renew_ahead(now);
    lock.lock();
  }
  state = WorkerState::stopped;
  changed.notify_all();
}

// Jobs leased ahead keep their leases while they wait for a slot. One the server no longer lets
// this worker have is dropped; one cancelled meanwhile is failed unstarted, which ends it
// `cancelled`.
void Worker::Impl::renew_ahead(steady::time_point now) {
  std::vector<std::pair<std::string, std::string>> due;  // id, token
  {
    std::lock_guard lock(mutex);
    // Every one: a renewal moves a job's next heartbeat past those leased after it.
    for (const Ahead& a : ahead)
      if (a.next_heartbeat <= now) due.emplace_back(a.job.id, a.job.lease_token);
  }
  for (const auto& entry : due) {
    // Named, not bound: clang 14 refuses a structured binding captured by a lambda.
    const std::string& id = entry.first;
    const std::string& token = entry.second;
    auto reply = source.heartbeat(id, token, {});
    if (!reply && !lease_gone(reply.error())) report(reply.error(), "heartbeat of job " + id);
    bool drop = !reply ? lease_gone(reply.error()) : reply->cancel_requested;
    std::lock_guard lock(mutex);
    auto it =
        std::find_if(ahead.begin(), ahead.end(), [&](const Ahead& a) { return a.job.id == id; });
    if (it == ahead.end()) continue;  // a slot took it meanwhile
    it->next_heartbeat = now + options.heartbeat_interval;
    if (!drop) continue;
    ahead.erase(it);
    if (!reply) {
      ++counters.lost;
      continue;
    }
    outcomes.push_back(
        {AckItem{id, token, "null", "cancelled before it started", "", false}, false});
    outcome_queued();
  }
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
