#include <algorithm>

#include "jobq/events.h"

namespace jobq {

std::optional<EventType> parse_event_type(std::string_view name) {
  for (int i = 0; i <= int(EventType::purged); ++i)
    if (to_string(EventType(i)) == name) return EventType(i);
  return std::nullopt;
}

std::string_view to_string(EventType t) {
  switch (t) {
    case EventType::submitted:
      return "submitted";
    case EventType::queued:
      return "queued";
    case EventType::started:
      return "started";
    case EventType::progress:
      return "progress";
    case EventType::cancel_requested:
      return "cancel_requested";
    case EventType::updated:
      return "updated";
    case EventType::retrying:
      return "retrying";
    case EventType::completed:
      return "completed";
    case EventType::failed:
      return "failed";
    case EventType::cancelled:
      return "cancelled";
    case EventType::purged:
      return "purged";
  }
  return "unknown";
}

// Copy-on-write: publish takes a snapshot under the lock and calls handlers outside it, so a
// handler may subscribe or unsubscribe without deadlock.
EventBus::SubscriptionId EventBus::subscribe(Handler handler) {
  std::lock_guard lock(mutex_);
  auto next = std::make_shared<std::vector<std::pair<SubscriptionId, Handler>>>(*handlers_);
  SubscriptionId id = next_id_++;
  next->emplace_back(id, std::move(handler));
  handlers_ = std::move(next);
  return id;
}

void EventBus::unsubscribe(SubscriptionId id) {
  std::lock_guard lock(mutex_);
  auto next = std::make_shared<std::vector<std::pair<SubscriptionId, Handler>>>(*handlers_);
  std::erase_if(*next, [id](const auto& h) { return h.first == id; });
  handlers_ = std::move(next);
}

bool EventBus::has_subscribers() const {
  std::lock_guard lock(mutex_);
  return !handlers_->empty();
}

void EventBus::publish(const Event& event) const {
  std::shared_ptr<const std::vector<std::pair<SubscriptionId, Handler>>> snapshot;
  {
    std::lock_guard lock(mutex_);
    snapshot = handlers_;
  }
  for (const auto& [id, handler] : *snapshot) handler(event);
}

}  // namespace jobq
