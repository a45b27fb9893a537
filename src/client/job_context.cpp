// A handler's view of its job: progress it reports, and the stop and soft-timeout notices the
// worker's heartbeat thread brings it.
#include "jobq/worker.h"

namespace jobq {

const char* to_string(StopReason reason) {
  switch (reason) {
    case StopReason::none:
      return "none";
    case StopReason::cancel_requested:
      return "cancel_requested";
    case StopReason::timed_out:
      return "timed_out";
    case StopReason::lease_lost:
      return "lease_lost";
    case StopReason::worker_stopping:
      return "worker_stopping";
  }
  return "none";
}

JobContext::JobContext(Job job, std::chrono::steady_clock::time_point started)
    : job_(std::move(job)), started_(started) {}

std::optional<std::chrono::steady_clock::time_point> JobContext::deadline() const {
  if (job_.timeout_ms <= 0) return std::nullopt;
  return started_ + std::chrono::milliseconds(job_.timeout_ms);
}

void JobContext::merge(const Progress& p) {
  std::lock_guard lock(mutex_);
  if (p.progress) pending_.progress = p.progress;
  if (p.message) pending_.message = p.message;
  if (p.stage) pending_.stage = p.stage;
  if (p.processed_items) pending_.processed_items = p.processed_items;
  if (p.total_items) pending_.total_items = p.total_items;
  has_pending_ = true;
}

void JobContext::progress(double percent, std::string message) {
  Progress p;
  p.progress = percent;
  if (!message.empty()) p.message = std::move(message);
  merge(p);
}

void JobContext::stage(std::string name) {
  Progress p;
  p.stage = std::move(name);
  merge(p);
}

void JobContext::items(std::int64_t processed, std::optional<std::int64_t> total) {
  Progress p;
  p.processed_items = processed;
  p.total_items = total;
  merge(p);
}

void JobContext::report(const Progress& progress) {
  merge(progress);
}

std::optional<Progress> JobContext::take_progress() {
  std::lock_guard lock(mutex_);
  if (!has_pending_) return std::nullopt;
  has_pending_ = false;
  return std::exchange(pending_, Progress{});
}

bool JobContext::has_progress() const {
  std::lock_guard lock(mutex_);
  return has_pending_;
}

bool JobContext::cancelled() const {
  std::lock_guard lock(mutex_);
  return stop_ != StopReason::none;
}

StopReason JobContext::stop_reason() const {
  std::lock_guard lock(mutex_);
  return stop_;
}

bool JobContext::wait_cancelled(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return stop_ != StopReason::none; });
}

void JobContext::on_cancel(std::function<void(StopReason)> callback) {
  std::unique_lock lock(mutex_);
  if (stop_ == StopReason::none) {
    on_cancel_.push_back(std::move(callback));
    return;
  }
  StopReason reason = stop_;
  lock.unlock();
  callback(reason);
}

bool JobContext::soft_timeout_passed() const {
  std::lock_guard lock(mutex_);
  return soft_timeout_;
}

void JobContext::on_soft_timeout(std::function<void()> callback) {
  std::unique_lock lock(mutex_);
  if (!soft_timeout_) {
    on_soft_timeout_.push_back(std::move(callback));
    return;
  }
  lock.unlock();
  callback();
}

// The first reason sticks: a job cancelled and then timed out was cancelled.
void JobContext::request_stop(StopReason reason) {
  std::vector<std::function<void(StopReason)>> callbacks;
  {
    std::lock_guard lock(mutex_);
    if (stop_ != StopReason::none || reason == StopReason::none) return;
    stop_ = reason;
    callbacks.swap(on_cancel_);
    changed_.notify_all();
  }
  for (auto& c : callbacks) c(reason);
}

void JobContext::notice_soft_timeout() {
  std::vector<std::function<void()>> callbacks;
  {
    std::lock_guard lock(mutex_);
    if (soft_timeout_) return;
    soft_timeout_ = true;
    callbacks.swap(on_soft_timeout_);
    changed_.notify_all();
  }
  for (auto& c : callbacks) c();
}

}  // namespace jobq
