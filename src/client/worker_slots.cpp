// A slot: takes the next job leased ahead, runs its handler and hands its outcome to the sender,
// then the next, without waiting for the outcome's answer; and the jobs handed back.
#include <optional>
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
    a->id = next.job.id;
    a->token = next.job.lease_token;
    a->context = std::make_shared<JobContext>(std::move(next.job), next.leased);
    a->started = next.leased;
    a->next_heartbeat = next.next_heartbeat;
    a->last_progress = steady::now() - options.progress_interval;
    // No notify: the heartbeat thread finds the job at its next tick.
    active[a->id] = a;
    lock.unlock();
    std::optional<Outcome> outcome = run(*a);
    lock.lock();
    // The job counts as running until its outcome is queued (or dropped), in the same hold of
    // the lock as the slot's next take: one per job.
    active.erase(a->id);
    if (a->handed_back) continue;  // the stop's grace ran out meanwhile: the hand-back stands
    if (!outcome) {
      ++counters.lost;
      continue;
    }
    outcomes.push_back(std::move(*outcome));
    outcome_queued();
  }
  slot_alive[index] = false;
  --slots_alive;
  changed.notify_all();
  sender_wake.notify_all();  // the senders end once the slots have
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

std::optional<Worker::Impl::Outcome> Worker::Impl::run(Active& a) {
  JobContext& context = *a.context;
  const Job& job = context.job();
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
  if (a.handed_back) return std::nullopt;
  if (context.stop_reason() == StopReason::lease_lost) return std::nullopt;
  std::lock_guard send(a.send);
  a.finished = true;
  // The newest progress goes out before the outcome, so the record ends with it.
  if (auto p = context.take_progress()) (void)source.heartbeat(a.id, a.token, *p);
  if (ok && context.stop_reason() == StopReason::timed_out) {
    ok = false;
    message = "timed out after " + std::to_string(job.timeout_ms) + " ms";
  }
  return Outcome{ok ? AckItem{a.id, a.token, result.empty() ? "null" : result}
                    : AckItem{a.id, a.token, "null", message, traceback, retryable},
                 ok};
}

}  // namespace jobq
