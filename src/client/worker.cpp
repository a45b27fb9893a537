// The worker runtime. Slots run jobs leased ahead, one at a time each; two sender threads send
// their outcomes together, each call leasing the jobs that refill the worker, and one leaser
// long-polls while nothing is being sent; one heartbeat thread renews every held job's lease,
// carries progress and brings back cancellation and timeouts, and hands jobs back when a stop's
// grace runs out; one beat thread reports to the server and obeys its scale, quiet and stop
// orders.
#include "jobq/worker.h"

#include <unistd.h>

#include <algorithm>
#include <random>

#include "client/worker_runtime.h"

namespace jobq {

namespace {

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

Worker::Impl::Impl(JobSource& s, WorkerOptions o) : source(s), options(std::move(o)) {
  if (options.id.empty()) options.id = default_worker_id();
  if (options.concurrency < 1) options.concurrency = 1;
  if (options.heartbeat_interval.count() <= 0)
    options.heartbeat_interval = milliseconds(std::max<std::int64_t>(options.lease_ms / 3, 100));
  target = options.concurrency;
}

std::vector<std::string> Worker::Impl::types() const {
  std::vector<std::string> t;
  for (const auto& [type, handler] : handlers) t.push_back(type);
  return t;
}

LeaseRequest Worker::Impl::lease_request() const {
  LeaseRequest request;
  request.worker_id = options.id;
  request.queues = options.queues;
  request.types = types();
  request.lease_ms = options.lease_ms;
  return request;
}

void Worker::Impl::wake_all() {
  changed.notify_all();
  work.notify_all();
  sender_wake.notify_all();
  leaser_wake.notify_all();
}

void Worker::Impl::spawn_slots() {
  if (slot_alive.size() < std::size_t(target)) slot_alive.resize(target, false);
  for (int i = 0; i < target; ++i) {
    if (slot_alive[i]) continue;
    slot_alive[i] = true;
    ++slots_alive;
    threads.emplace_back([this, i] { slot(i); });
  }
}

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
  w.leaser_alive = true;
  w.senders_alive = Impl::kSenders;
  for (int i = 0; i < Impl::kSenders; ++i) w.threads.emplace_back([&w] { w.send_outcomes(); });
  w.threads.emplace_back([&w] { w.lease_ahead(); });
  w.threads.emplace_back([&w] { w.renew_leases(); });
  if (w.options.beat_interval.count() > 0) w.threads.emplace_back([&w] { w.announce_presence(); });
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
  impl_->wake_all();
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
