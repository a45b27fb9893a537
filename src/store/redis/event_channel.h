// The redis store's EventChannel: Redis pub/sub on the channel <prefix>events. A publisher thread
// sends what is queued, many messages per round trip; a subscriber thread hears the others' and
// connects again (after a pause) when Redis goes away. Each message carries this process's node id
// first, so that its own come back and are dropped.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "store/event_channel.h"
#include "store/redis/connection.h"

namespace jobq::redis {

class RedisEventChannel final : public EventChannel {
 public:
  RedisEventChannel(Address address, std::string channel);
  ~RedisEventChannel() override;

  void publish(std::string message) override;
  void listen(Heard heard) override;

  // Messages dropped: queued while Redis could not take them, beyond kMaxQueued.
  std::uint64_t dropped() const { return dropped_; }

 private:
  static constexpr std::size_t kMaxQueued = 100'000;
  void send_loop();
  bool subscribe();
  void hear_loop(bool subscribed);
  // Waits up to `pause` unless stopping; true if stopping.
  bool pause_or_stop(std::chrono::milliseconds pause);

  Address address_;
  std::string channel_;
  std::string node_;  // "<id>\n", the start of every message this process sends

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::string> queued_;
  bool stopping_ = false;
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<bool> hearer_done_{false};

  std::mutex heard_mutex_;  // held while `heard_` runs, so that listen() can wait it out
  Heard heard_;

  Connection publisher_;
  Connection subscriber_;
  std::thread sender_;
  std::thread hearer_;
};

}  // namespace jobq::redis
