// A slot: lease a job, run its handler, send its outcome (with the other slots', leasing the next
// job in the same call); and the jobs handed back.
#include <thread>
#include <utility>

#include "client/worker_runtime.h"

namespace jobq {

using std::chrono::milliseconds;

void Worker::Impl::slot(int index) {
  LeaseRequest request = lease_request();
  std::vector<Job> next;  // leased with the last outcome: in hand, run before anything else
  while (true) {
    Result<std::vector<Job>> leased = std::exchange(next, {});
    if (leased->empty()) {
      {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return state != WorkerState::quiet || index >= target; });
        if (state == WorkerState::stopping || index >= target) break;
      }
      leased = source.lease(request, options.lease_wait);
      if (!leased) {
        report(leased.error(), "lease");
        std::unique_lock lock(mutex);
        changed.wait_for(lock, options.retry_delay,
                         [&] { return state == WorkerState::stopping || index >= target; });
        continue;
      }
    }
    for (std::size_t i = 0; i < leased->size(); ++i) {
      Job& job = (*leased)[i];
      bool stopping, lease_more;
      {
        std::lock_guard lock(mutex);
        ++counters.leased;
        stopping = state == WorkerState::stopping;
        // The last job in hand leases the next with its outcome, while the slot is wanted.
        lease_more = i + 1 == leased->size() && state == WorkerState::running && index < target;
      }
      if (stopping)
        give_back(job);
      else
        next = run(std::move(job), lease_more);
    }
  }
  std::lock_guard lock(mutex);
  slot_alive[index] = false;
  --slots_alive;
  changed.notify_all();
}

void Worker::Impl::report(const Error& e, const std::string& what) {
  {
    std::lock_guard lock(mutex);
    ++counters.errors;
  }
  if (options.on_error) options.on_error(Error(e.code(), what + ": " + e.message(), e.field()));
}

Status Worker::Impl::send_outcome(const std::string& what, const std::function<Status()>& call) {
  for (int attempt = 1;; ++attempt) {
    Status r = call();
    if (r.ok()) return {};
    if (r.code() != ErrorCode::unavailable || attempt == 3) {
      if (!lease_gone(r)) report(r, what);
      return r;
    }
    report(r, what + " (will try again)");
    std::this_thread::sleep_for(options.retry_delay);
  }
}

void Worker::Impl::hand_back(const std::string& id, const std::string& token,
                             const std::string& why) {
  auto r = source.fail(id, token, "handed back: " + why, {}, true);
  if (!r && !lease_gone(r.error())) report(r.error(), "hand back job " + id);
  std::lock_guard lock(mutex);
  ++(r ? counters.handed_back : counters.lost);
}

void Worker::Impl::give_back(const Job& job) {
  auto r = source.release(job.id, job.lease_token);
  if (!r && !lease_gone(r.error())) report(r.error(), "give back job " + job.id);
  std::lock_guard lock(mutex);
  ++(r ? counters.handed_back : counters.lost);
}

std::vector<Job> Worker::Impl::run(Job job, bool lease_next) {
  auto now = steady::now();
  auto a = std::make_shared<Active>();
  a->context = std::make_shared<JobContext>(job, now);
  a->id = job.id;
  a->token = job.lease_token;
  a->started = now;
  a->next_heartbeat = now + options.heartbeat_interval;
  a->last_progress = now - options.progress_interval;
  {
    // No notify: the heartbeat thread finds the job at its next tick, and waking it (and the
    // beat thread) twice per job cost more than the jobs themselves.
    std::lock_guard lock(mutex);
    active[a->id] = a;
  }
  JobContext& context = *a->context;

  std::string result, message, traceback;
  bool ok = false, retryable = true;
  auto handler = handlers.find(job.type);
  if (handler == handlers.end()) {
    message = "this worker has no handler for type " + job.type;
    retryable = false;
  } else {
    try {
      result = handler->second(context);
      ok = true;
    } catch (const JobFailure& e) {
      message = e.what();
      retryable = e.retryable();
      traceback = e.traceback();
    } catch (const std::exception& e) {
      message = e.what();
    } catch (...) {
      message = "the handler threw something that is not a std::exception";
    }
  }
  {
    std::lock_guard lock(mutex);
    active.erase(a->id);
    if (a->handed_back) return {};
  }
  if (context.stop_reason() == StopReason::lease_lost) {
    std::lock_guard lock(mutex);
    ++counters.lost;
    return {};
  }
  std::lock_guard send(a->send);
  a->finished = true;
  // The newest progress goes out before the outcome, so the record ends with it.
  if (auto p = context.take_progress()) (void)source.heartbeat(a->id, a->token, *p);
  if (ok && context.stop_reason() == StopReason::timed_out) {
    ok = false;
    message = "timed out after " + std::to_string(job.timeout_ms) + " ms";
  }
  {
    // A worker told to stop or be quiet while the handler ran leases nothing more.
    std::lock_guard lock(mutex);
    if (state != WorkerState::running) lease_next = false;
  }
  std::vector<Job> more;
  // The first try of the outcome goes with the other slots' and carries the lease of the next
  // job; a retry goes alone.
  bool together = true;
  auto finish = [&](const AckItem& item) -> Status {
    if (std::exchange(together, false)) {
      OutcomeLine::Outcome o{item, lease_next};
      outcome_line.send(o);
      more = std::move(o.jobs);
      return o.status;
    }
    auto r = ok ? source.complete(item.id, item.lease_token, item.result_json)
                : source.fail(item.id, item.lease_token, item.error, item.traceback,
                              item.retryable);
    return r ? Status{} : Status(r.error());
  };
  Status outcome;
  if (ok) {
    AckItem item{a->id, a->token, result.empty() ? "null" : result};
    outcome = send_outcome("complete job " + a->id, [&] { return finish(item); });
    // A result the source refuses (not JSON, too large) fails the attempt instead of leaving
    // the job running until its lease ends.
    if (outcome.code() == ErrorCode::invalid_argument ||
        outcome.code() == ErrorCode::payload_too_large) {
      ok = false;
      message = "the handler's result was refused: " + outcome.message();
    }
  }
  if (!ok) {
    // An empty message would read as a completion in an /ack entry: that one goes alone.
    if (message.empty()) together = false;
    AckItem item{a->id, a->token, "null", message, traceback, retryable};
    outcome = send_outcome("fail job " + a->id, [&] { return finish(item); });
  }
  std::lock_guard lock(mutex);
  if (!outcome.ok())
    ++counters.lost;
  else
    ++(ok ? counters.completed : counters.failed);
  return more;
}

}  // namespace jobq
