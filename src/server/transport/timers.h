// Real-time deadlines for long polls (lease wait_ms, job wait timeout_ms). Job time is the
// engine's Clock; these only bound how long a client is kept waiting.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

namespace jobq::server {

class Timers {
 public:
  using Id = std::uint64_t;
  virtual ~Timers() = default;
  // Runs `fn` once after `delay` unless cancelled first; at shutdown every pending timer runs at
  // once, so that long polls are answered. `fn` runs on an I/O thread and must not block.
  virtual Id after(std::chrono::milliseconds delay, std::function<void()> fn) = 0;
  // True if `fn` will not run.
  virtual bool cancel(Id id) = 0;
};

}  // namespace jobq::server
