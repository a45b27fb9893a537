// Waiting on a condition with a deadline, instead of sleeping and hoping.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace jobq::testing {

// Polls `condition` every 10 ms until it holds or `timeout` passes; returns whether it held.
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace jobq::testing
