// Every change to a job is published as one Event on the engine's in-process bus.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "jobq/job.h"

namespace jobq {

enum class EventType {
  submitted,
  queued,  // became ready: promoted from scheduled or waiting, or retried by hand
  started,
  progress,
  cancel_requested,
  updated,   // priority or run_at changed
  retrying,  // an attempt failed and another is scheduled
  completed,
  failed,  // no attempts left: in the dead-letter list
  cancelled,
  purged,
};

std::string_view to_string(EventType t);
std::optional<EventType> parse_event_type(std::string_view name);

struct Event {
  EventType type;
  std::shared_ptr<const Job> job;  // the job after the change
  // Made through another jobqd node on the same store (redis), and relayed to this one's bus;
  // per-node counters (metrics, throughput) leave such events to the node that made them.
  bool remote = false;
};

// Subscribers are called synchronously on the publishing thread, in subscription order, and must
// return quickly (hand the event to a queue of their own for slow work). Thread-safe.
class EventBus {
 public:
  using Handler = std::function<void(const Event&)>;
  using SubscriptionId = std::uint64_t;

  SubscriptionId subscribe(Handler handler);
  void unsubscribe(SubscriptionId id);
  void publish(const Event& event) const;
  // Lets a publisher skip building an event nobody will see.
  bool has_subscribers() const;

 private:
  mutable std::mutex mutex_;
  std::uint64_t next_id_ = 1;
  std::shared_ptr<const std::vector<std::pair<SubscriptionId, Handler>>> handlers_ =
      std::make_shared<std::vector<std::pair<SubscriptionId, Handler>>>();
};

}  // namespace jobq
