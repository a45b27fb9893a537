// Runs Engine::tick() on a thread of its own every `interval` of real time, until destroyed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "jobq/engine.h"

namespace jobq {

class Sweeper {
 public:
  // on_error sees every failed tick (the store is unavailable) and each schedule a tick could not
  // run (TickReport::schedule_errors); the sweeper keeps going.
  Sweeper(Engine& engine, std::chrono::milliseconds interval,
          std::function<void(const Error&)> on_error = {});
  ~Sweeper();
  Sweeper(const Sweeper&) = delete;
  Sweeper& operator=(const Sweeper&) = delete;

 private:
  void loop();

  Engine& engine_;
  std::chrono::milliseconds interval_;
  std::function<void(const Error&)> on_error_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace jobq
