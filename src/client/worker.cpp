// The worker runtime. Slots lease and run one job at a time each; one heartbeat thread renews
// every running job's lease, carries its progress and brings back cancellation and timeouts, and
// hands jobs back when a stop's grace runs out; one beat thread reports to the server and obeys
// its scale, quiet and stop orders.
#include "jobq/worker.h"

#include <unistd.h>

#include <algorithm>
#include <map>
#include <random>
#include <thread>

namespace jobq {

namespace {

using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string default_worker_id() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = 0;
  std::random_device rd;
  static const char* hex = "0123456789abcdef";
  std::string suffix;
  for (int i = 0; i < 6; ++i) suffix += hex[rd() % 16];
  return std::string(*host ? host : "worker") + "-" + std::to_string(getpid()) + "-" + suffix;
}

bool lease_gone(const Error& e) {
  return e.code() == ErrorCode::conflict || e.code() == ErrorCode::not_found;
}

}  // namespace

const char* to_string(WorkerState state) {
  switch (state) {
    case WorkerState::idle:
      return "idle";
    case WorkerState::running:
      return "running";
    case WorkerState::quiet:
      return "quiet";
    case WorkerState::stopping:
      return "stopping";
    case WorkerState::stopped:
      return "stopped";
  }
  return "idle";
}

struct Worker::Impl {
  struct Active {
    std::shared_ptr<JobContext> context;
    std::string id;
    std::string token;
    steady::time_point started;
    steady::time_point next_heartbeat;
    steady::time_point last_progress;
    bool handed_back = false;  // the outcome was given by the stop; the handler's is dropped
    // Heartbeats and the outcome go out one at a time, so a progress report taken by the
    // heartbeat thread cannot land after the completion (and be refused).
    std::mutex send;
    bool finished = false;  // under `send`: no heartbeat after the outcome
  };

  Impl(JobSource& s, WorkerOptions o) : source(s), options(std::move(o)) {
    if (options.id.empty()) options.id = default_worker_id();
    if (options.concurrency < 1) options.concurrency = 1;
    if (options.heartbeat_interval.count() <= 0)
      options.heartbeat_interval = milliseconds(std::max<std::int64_t>(options.lease_ms / 3, 100));
    target = options.concurrency;
  }

  JobSource& source;
  WorkerOptions options;
  std::map<std::string, JobHandler> handlers;

  mutable std::mutex mutex;
  std::condition_variable changed;
  WorkerState state = WorkerState::idle;
  int target = 1;
  std::vector<bool> slot_alive;
  int slots_alive = 0;
  steady::time_point stop_deadline;
  std::map<std::string, std::shared_ptr<Active>> active;
  WorkerCounters counters;
  std::vector<std::thread> threads;

  std::vector<std::string> types() const {
    std::vector<std::string> t;
    for (const auto& [type, handler] : handlers) t.push_back(type);
    return t;
  }

  // Under the lock: starts the slots [0, target) that are not running.
  void spawn_slots() {
    if (slot_alive.size() < std::size_t(target)) slot_alive.resize(target, false);
    for (int i = 0; i < target; ++i) {
      if (slot_alive[i]) continue;
      slot_alive[i] = true;
      ++slots_alive;
      threads.emplace_back([this, i] { slot(i); });
    }
  }

  void slot(int index) {
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

  // A failed call to the source: counted, and told to on_error with what it was.
  void report(const Error& e, const std::string& what) {
    {
      std::lock_guard lock(mutex);
      ++counters.errors;
    }
    if (options.on_error) options.on_error(Error(e.code(), what + ": " + e.message(), e.field()));
  }

  // Sends a job's outcome, again while the source is unavailable (a server restarting).
  template <class Call>
  Status send_outcome(const std::string& what, Call call) {
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

  void hand_back(const std::string& id, const std::string& token, const std::string& why) {
    auto r = source.fail(id, token, "handed back: " + why, {}, true);
    if (!r && !lease_gone(r.error())) report(r.error(), "hand back job " + id);
    std::lock_guard lock(mutex);
    ++(r ? counters.handed_back : counters.lost);
  }

  void run(Job job) {
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

  // The heartbeat thread: renews leases, sends throttled progress, brings notices, enforces the
  // stop's grace. Ends once the worker is stopping and every slot has ended.
  void heartbeats() {
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
  void watch_time(Active& a, steady::time_point now) {
    JobContext& c = *a.context;
    const Job& job = c.job();
    if (auto d = c.deadline(); d && now >= *d) c.request_stop(StopReason::timed_out);
    if (job.soft_timeout_ms > 0 && now >= a.started + milliseconds(job.soft_timeout_ms))
      c.notice_soft_timeout();
  }

  void beat_job(Active& a, steady::time_point now) {
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

  // The beat thread: presence, and the server's orders.
  void beats() {
    std::unique_lock lock(mutex);
    while (state != WorkerState::stopping && state != WorkerState::stopped) {
      WorkerBeat b;
      b.id = options.id;
      b.types = types();
      b.queues = options.queues;
      b.concurrency = target;
      b.running = int(active.size());
      char host[256] = {};
      if (gethostname(host, sizeof host - 1) == 0) b.host = host;
      b.pid = getpid();
      b.version = options.version;
      lock.unlock();
      auto orders = source.beat(b);
      if (!orders) report(orders.error(), "beat");
      lock.lock();
      if (orders) obey(*orders, lock);
      changed.wait_for(lock, options.beat_interval, [&] {
        return state == WorkerState::stopping || state == WorkerState::stopped;
      });
    }
  }

  void obey(const WorkerOrders& orders, std::unique_lock<std::mutex>& lock) {
    if (orders.concurrency >= 1 && orders.concurrency != target && state != WorkerState::stopping) {
      target = orders.concurrency;
      spawn_slots();
      changed.notify_all();
    }
    if (orders.command == WorkerCommand::quiet && state == WorkerState::running) {
      state = WorkerState::quiet;
      changed.notify_all();
      source.wake();  // leases waiting now would bring jobs a quiet worker should not take
    } else if (orders.command == WorkerCommand::stop) {
      lock.unlock();
      stop(options.grace);
      lock.lock();
    }
  }

  void stop(milliseconds grace) {
    {
      std::lock_guard lock(mutex);
      if (state == WorkerState::idle || state == WorkerState::stopped) {
        state = WorkerState::stopped;
        changed.notify_all();
        return;
      }
      auto deadline = steady::now() + grace;
      if (state == WorkerState::stopping) {
        stop_deadline = std::min(stop_deadline, deadline);
      } else {
        state = WorkerState::stopping;
        stop_deadline = deadline;
      }
      changed.notify_all();
    }
    source.wake();
  }
};

Worker::Worker(JobSource& source, WorkerOptions options)
    : impl_(std::make_unique<Impl>(source, std::move(options))) {}

Worker::~Worker() {
  stop();
  wait();
}

void Worker::handle(std::string type, JobHandler handler) {
  std::lock_guard lock(impl_->mutex);
  impl_->handlers[std::move(type)] = std::move(handler);
}

Status Worker::start() {
  Impl& w = *impl_;
  std::lock_guard lock(w.mutex);
  if (w.state != WorkerState::idle)
    return Error(ErrorCode::conflict, "the worker was started already");
  if (w.handlers.empty()) return Error::invalid("handlers", "register a handler before start");
  w.state = WorkerState::running;
  w.spawn_slots();
  w.threads.emplace_back([&w] { w.heartbeats(); });
  if (w.options.beat_interval.count() > 0) w.threads.emplace_back([&w] { w.beats(); });
  return {};
}

Status Worker::run() {
  if (Status s = start(); !s.ok()) return s;
  wait();
  return {};
}

void Worker::stop() {
  impl_->stop(impl_->options.grace);
}
void Worker::stop(std::chrono::milliseconds grace) {
  impl_->stop(grace);
}

void Worker::quiet() {
  std::lock_guard lock(impl_->mutex);
  if (impl_->state != WorkerState::running) return;
  impl_->state = WorkerState::quiet;
  impl_->changed.notify_all();
  impl_->source.wake();
}

void Worker::wait() {
  Impl& w = *impl_;
  std::unique_lock lock(w.mutex);
  w.changed.wait(lock,
                 [&] { return w.state == WorkerState::stopped || w.state == WorkerState::idle; });
  // Threads started by a scale-up while stopping are in the list too; join every one.
  while (!w.threads.empty()) {
    std::vector<std::thread> threads;
    threads.swap(w.threads);
    lock.unlock();
    for (auto& t : threads) t.join();
    lock.lock();
  }
}

const std::string& Worker::id() const {
  return impl_->options.id;
}

int Worker::concurrency() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->target;
}

int Worker::running() const {
  std::lock_guard lock(impl_->mutex);
  return int(impl_->active.size());
}

WorkerState Worker::state() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->state;
}

WorkerCounters Worker::counters() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->counters;
}

}  // namespace jobq
