// SIGTERM and SIGINT as a graceful stop: the signals are blocked and taken by sigtimedwait on a
// thread of our own, so nothing runs in a signal handler.
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <thread>

#include "jobq/worker.h"

namespace jobq {

struct StopOnSignals::Impl {
  sigset_t signals;
  sigset_t previous;
  std::atomic<bool> done{false};
  std::thread thread;
};

StopOnSignals::StopOnSignals(Worker& worker) : impl_(std::make_unique<Impl>()) {
  Impl& s = *impl_;
  sigemptyset(&s.signals);
  sigaddset(&s.signals, SIGTERM);
  sigaddset(&s.signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &s.signals, &s.previous);
  s.thread = std::thread([&s, &worker] {
    int seen = 0;
    // Bounded waits so the destructor's flag is seen; signals arriving meanwhile stay pending.
    const timespec tick{0, 100'000'000};
    while (!s.done.load()) {
      if (sigtimedwait(&s.signals, nullptr, &tick) < 0) continue;
      if (++seen == 1)
        worker.stop();
      else
        worker.stop(std::chrono::milliseconds(0));
    }
  });
}

StopOnSignals::~StopOnSignals() {
  impl_->done = true;
  impl_->thread.join();
  pthread_sigmask(SIG_SETMASK, &impl_->previous, nullptr);
}

}  // namespace jobq
