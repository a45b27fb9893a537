#include "server/live/job_watchers.h"

#include <vector>

namespace jobq::server {

JobWatchers::JobWatchers(EventBus& bus)
    : bus_(bus), subscription_(bus.subscribe([this](const Event& e) { on_event(e); })) {}

JobWatchers::~JobWatchers() {
  bus_.unsubscribe(subscription_);
}

JobWatchers::Id JobWatchers::watch(const std::string& job_id, Callback callback) {
  std::lock_guard lock(mutex_);
  Id id = next_id_++;
  by_job_.emplace(job_id, std::pair{id, std::make_shared<Callback>(std::move(callback))});
  job_of_.emplace(id, job_id);
  return id;
}

void JobWatchers::unwatch(Id id) {
  std::lock_guard lock(mutex_);
  auto job = job_of_.find(id);
  if (job == job_of_.end()) return;
  auto [first, last] = by_job_.equal_range(job->second);
  for (auto it = first; it != last; ++it) {
    if (it->second.first == id) {
      by_job_.erase(it);
      break;
    }
  }
  job_of_.erase(job);
}

std::size_t JobWatchers::size() const {
  std::lock_guard lock(mutex_);
  return job_of_.size();
}

void JobWatchers::on_event(const Event& event) {
  std::vector<std::shared_ptr<Callback>> callbacks;
  {
    std::lock_guard lock(mutex_);
    auto [first, last] = by_job_.equal_range(event.job->id);
    for (auto it = first; it != last; ++it) callbacks.push_back(it->second.second);
  }
  for (const auto& cb : callbacks) (*cb)(event);
}

}  // namespace jobq::server
