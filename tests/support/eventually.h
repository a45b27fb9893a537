// Waits for a condition that another thread makes true, up to a deadline.
#pragma once

#include <chrono>
#include <thread>

namespace jobq::testing {

// True as soon as `condition()` is; false if it still is not after `deadline`. The default is
// long enough for a real jobqd under the sanitizers; a passing test never waits for it.
template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
  auto until = std::chrono::steady_clock::now() + deadline;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace jobq::testing
