// The beat thread: the worker's presence, and the server's scale, quiet and stop orders.
#include <unistd.h>

#include "client/worker_runtime.h"

namespace jobq {

using std::chrono::milliseconds;

// The beat thread: presence, and the server's orders.
void Worker::Impl::announce_presence() {
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

void Worker::Impl::obey(const WorkerOrders& orders, std::unique_lock<std::mutex>& lock) {
  if (orders.concurrency >= 1 && orders.concurrency != target && state != WorkerState::stopping) {
    target = orders.concurrency;
    spawn_slots();
    wake_all();
  }
  if (orders.command == WorkerCommand::quiet && state == WorkerState::running) {
    state = WorkerState::quiet;
    wake_all();
    source.wake();  // leases waiting now would bring jobs a quiet worker should not take
  } else if (orders.command == WorkerCommand::stop) {
    lock.unlock();
    stop(options.grace);
    lock.lock();
  }
}

void Worker::Impl::stop(milliseconds grace) {
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
    wake_all();
  }
  source.wake();
}

}  // namespace jobq
