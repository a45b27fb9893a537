// The clock that every node on one Redis agrees on: the Redis server's own (TIME), read once a
// second and advanced in between by the local clock, so that a node whose wall clock is off
// neither takes a running job from its worker early nor delays anyone's retry.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "jobq/clock.h"
#include "store/redis/connection.h"

namespace jobq::redis {

class RedisClock final : public Clock {
 public:
  // Reads Redis' time once before it returns (if Redis answers; until then it is `local`).
  RedisClock(Address address, const Clock& local);
  ~RedisClock() override;
  Millis now() const override;  // never goes backwards, even when Redis' clock does

 private:
  void sync();
  void loop();

  const Clock& local_;
  Connection connection_;
  std::atomic<Millis> offset_{0};  // Redis' time minus local time
  mutable std::atomic<Millis> last_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace jobq::redis
