// Carries events between the processes that share one store (jobqd nodes on one Redis): each
// publishes the events of its own changes and hears the others'. A message is opaque text here;
// the engine's EventRelay (src/engine/event_relay.h) writes and reads it.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace jobq {

class EventChannel {
 public:
  using Heard = std::function<void(std::string_view message)>;
  virtual ~EventChannel() = default;
  // Sends to every other process; never blocks (the message is queued). Delivery is at most once:
  // a message sent while the channel is cut off is lost.
  virtual void publish(std::string message) = 0;
  // `heard` gets each message another process published, on the channel's own thread; this
  // process's own are not heard. An empty `heard` stops listening, and once listen() returns no
  // call of the previous one is under way.
  virtual void listen(Heard heard) = 0;
};

}  // namespace jobq
