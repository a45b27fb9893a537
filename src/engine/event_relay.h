// Events between the jobqd nodes that share a store: this engine's events go out on the store's
// channel, and the other nodes' come in to this engine's bus, marked remote, so that watchers and
// streams on every node see every change. A job another node made ready wakes the leases waiting
// here. The engine makes one when its store has a channel (Store::shared_events).
#pragma once

#include <string_view>

#include "jobq/engine.h"
#include "store/event_channel.h"

namespace jobq {

class EventRelay {
 public:
  EventRelay(Engine& engine, EventBus& bus, EventChannel& channel);
  ~EventRelay();  // stops hearing before it goes
  EventRelay(const EventRelay&) = delete;
  EventRelay& operator=(const EventRelay&) = delete;

  // An event as a channel message, and back (nullopt: not a message of this format).
  static std::string message(const Event& event);
  static std::optional<Event> event_from(std::string_view message);

 private:
  void heard(std::string_view message);

  Engine& engine_;
  EventBus& bus_;
  EventChannel& channel_;
  EventBus::SubscriptionId subscription_;
};

}  // namespace jobq
