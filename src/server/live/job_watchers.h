// Watchers of single jobs (long-poll waits, per-job streams) behind one subscription to the
// event bus, so an event costs a hash lookup rather than a call per watcher.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "jobq/events.h"

namespace jobq::server {

class JobWatchers {
 public:
  using Callback = std::function<void(const Event&)>;
  using Id = std::uint64_t;

  explicit JobWatchers(EventBus& bus);
  ~JobWatchers();
  JobWatchers(const JobWatchers&) = delete;
  JobWatchers& operator=(const JobWatchers&) = delete;

  // `callback` sees every later event of the job, on the publishing thread, without locks held;
  // it must return quickly and may call unwatch.
  Id watch(const std::string& job_id, Callback callback);
  void unwatch(Id id);
  std::size_t size() const;

 private:
  void on_event(const Event& event);

  EventBus& bus_;
  EventBus::SubscriptionId subscription_;
  mutable std::mutex mutex_;
  Id next_id_ = 1;
  std::unordered_multimap<std::string, std::pair<Id, std::shared_ptr<Callback>>> by_job_;
  std::unordered_map<Id, std::string> job_of_;
};

}  // namespace jobq::server
