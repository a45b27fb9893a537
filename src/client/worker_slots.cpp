// A slot: lease a job, run its handler, send its outcome; and the jobs handed back.
#include <thread>

#include "client/worker_runtime.h"

namespace jobq {

using std::chrono::milliseconds;

void Worker::Impl::slot(int index) {
  LeaseRequest request;
  request.worker_id = options.id;
  request.queues = options.queues;
  request.types = types();
  request.lease_ms = options.lease_ms;
  while (true) {
    {
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return state != WorkerState::quiet || index >= target; });
      if (state == WorkerState::stopping || index >= target) break;
    }
    auto leased = source.lease(request, options.lease_wait);
    if (!leased) {
      report(leased.error(), "lease");
      std::unique_lock lock(mutex);
      changed.wait_for(lock, options.retry_delay,
                       [&] { return state == WorkerState::stopping || index >= target; });
      continue;
    }
    for (Job& job : *leased) {
      bool stopping;
      {
        std::lock_guard lock(mutex);
        ++counters.leased;
        stopping = state == WorkerState::stopping;
      }
      if (stopping)
        hand_back(job.id, job.lease_token, "the worker was stopping when the job was leased");
      else
        run(std::move(job));
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

Status Worker::Impl::send_outcome(const std::string& what,
                                  const std::function<Result<Job>()>& call) {
  for (int attempt = 1;; ++attempt) {
    auto r = call();
    if (r) return {};
    if (r.error().code() != ErrorCode::unavailable || attempt == 3) {
      if (!lease_gone(r.error())) report(r.error(), what);
      return r.error();
    }
    report(r.error(), what + " (will try again)");
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

void Worker::Impl::run(Job job) {
  auto now = steady::now();
  auto a = std::make_shared<Active>();
  a->context = std::make_shared<JobContext>(job, now);
  a->id = job.id;
  a->token = job.lease_token;
  a->started = now;
  a->next_heartbeat = now + options.heartbeat_interval;
  a->last_progress = now - options.progress_interval;
  {
    std::lock_guard lock(mutex);
    active[a->id] = a;
    changed.notify_all();
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
    changed.notify_all();
    if (a->handed_back) return;
  }
  if (context.stop_reason() == StopReason::lease_lost) {
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
  Status outcome;
  if (ok) {
    outcome = send_outcome("complete job " + a->id, [&] {
      return source.complete(a->id, a->token, result.empty() ? "null" : result);
    });
    // A result the source refuses (not JSON, too large) fails the attempt instead of leaving
    // the job running until its lease ends.
    if (outcome.code() == ErrorCode::invalid_argument ||
        outcome.code() == ErrorCode::payload_too_large) {
      ok = false;
      message = "the handler's result was refused: " + outcome.message();
    }
  }
  if (!ok) {
    outcome = send_outcome("fail job " + a->id, [&] {
      return source.fail(a->id, a->token, message, traceback, retryable);
    });
  }
  std::lock_guard lock(mutex);
  if (!outcome.ok())
    ++counters.lost;
  else
    ++(ok ? counters.completed : counters.failed);
}

}  // namespace jobq
