// A slot: takes the next job leased ahead, runs its handler and hands its outcome to the sender,
// then the next, without waiting for the outcome's answer; and the jobs handed back.
#include <utility>

#include "client/worker_runtime.h"

namespace jobq {

void Worker::Impl::slot(int index) {
  std::unique_lock lock(mutex);
  while (true) {
    // A quiet worker still runs the jobs it holds; a stopping one gives them back (the leaser).
    work.wait(lock, [&] {
      return state == WorkerState::stopping || index >= target ||
             (!ahead.empty() && state != WorkerState::idle);
    });
    if (state == WorkerState::stopping || index >= target) break;
    Ahead next = std::move(ahead.front());
    ahead.pop_front();
    auto a = std::make_shared<Active>();
    a->context = std::make_shared<JobContext>(next.job, next.leased);
    a->id = next.job.id;
    a->token = next.job.lease_token;
    a->started = next.leased;
    a->next_heartbeat = next.next_heartbeat;
    a->last_progress = steady::now() - options.progress_interval;
    // No notify: the heartbeat thread finds the job at its next tick.
    active[a->id] = a;
    lock.unlock();
    run(std::move(a), std::move(next.job));
    lock.lock();
  }
  slot_alive[index] = false;
  --slots_alive;
  changed.notify_all();
  sender_wake.notify_one();  // the sender ends once the slots have
}

void Worker::Impl::report(const Error& e, const std::string& what) {
  {
    std::lock_guard lock(mutex);
    ++counters.errors;
  }
  if (options.on_error) options.on_error(Error(e.code(), what + ": " + e.message(), e.field()));
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

void Worker::Impl::run(std::shared_ptr<Active> a, Job job) {
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
  // The job counts as running until its outcome is queued (or dropped).
  auto done = [&] {
    std::lock_guard lock(mutex);
    active.erase(a->id);
  };
  {
    std::lock_guard lock(mutex);
    if (a->handed_back) {
      active.erase(a->id);
      return;
    }
  }
  if (context.stop_reason() == StopReason::lease_lost) {
    done();
    std::lock_guard lock(mutex);
    ++counters.lost;
    return;
  }
  std::lock_guard send(a->send);
  a->finished = true;
  // The newest progress goes out before the outcome, so the record ends with it.
  if (auto p = context.take_progress()) (void)source.heartbeat(a->id, a->token, *p);
  if (ok && context.stop_reason() == StopReason::timed_out) {
    ok = false;
    message = "timed out after " + std::to_string(job.timeout_ms) + " ms";
  }
  Outcome o{ok ? AckItem{a->id, a->token, result.empty() ? "null" : result}
               : AckItem{a->id, a->token, "null", message, traceback, retryable},
            ok};
  std::lock_guard lock(mutex);
  active.erase(a->id);
  if (a->handed_back) return;  // the stop's grace ran out meanwhile: the hand-back stands
  outcomes.push_back(std::move(o));
  // A sender with a call out takes this one when the call returns: no wake-up for it.
  if (!sending && outcomes.size() == 1) sender_wake.notify_one();
}

}  // namespace jobq
