#include "jobq/sweeper.h"

namespace jobq {

Sweeper::Sweeper(Engine& engine, std::chrono::milliseconds interval,
                 std::function<void(const Error&)> on_error)
    : engine_(engine),
      interval_(interval),
      on_error_(std::move(on_error)),
      thread_([this] { loop(); }) {}

Sweeper::~Sweeper() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void Sweeper::loop() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    auto report = engine_.tick();
    if (!report && on_error_) on_error_(report.error());
    if (report && on_error_)
      for (const Error& e : report->schedule_errors) on_error_(e);
    lock.lock();
  }
}

}  // namespace jobq
