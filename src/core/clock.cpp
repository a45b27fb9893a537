#include "jobq/clock.h"

namespace jobq {

SystemClock::SystemClock()
    : wall_start_(std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count()),
      steady_start_(std::chrono::steady_clock::now()) {}

Millis SystemClock::now() const {
  auto elapsed = std::chrono::steady_clock::now() - steady_start_;
  return wall_start_ + std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
}

}  // namespace jobq
