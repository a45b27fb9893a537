// Time, injected: no code in jobq reads the time except through a Clock.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace jobq {

// Milliseconds since the Unix epoch, UTC.
using Millis = std::int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  // Thread-safe. Never goes backwards.
  virtual Millis now() const = 0;
};

// Wall time read once at construction and advanced by the monotonic clock afterwards, so that a
// wall-clock jump while the process runs neither expires leases nor reorders ids.
class SystemClock final : public Clock {
 public:
  SystemClock();
  Millis now() const override;

 private:
  Millis wall_start_;
  std::chrono::steady_clock::time_point steady_start_;
};

// A clock that moves only when told to; for tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Millis start = 1'700'000'000'000) : now_(start) {}
  Millis now() const override { return now_.load(); }
  void advance(Millis ms) { now_ += ms; }
  void set(Millis t) { now_ = t; }

 private:
  std::atomic<Millis> now_;
};

}  // namespace jobq
