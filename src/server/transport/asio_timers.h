// Timers on an Asio io_context.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "server/transport/timers.h"

namespace jobq::server {

class AsioTimers final : public Timers {
 public:
  explicit AsioTimers(boost::asio::io_context& io) : io_(io) {}
  Id after(std::chrono::milliseconds delay, std::function<void()> fn) override;
  bool cancel(Id id) override;
  // Runs every pending timer now, and every later one at once (shutdown).
  void fire_all();

 private:
  struct Pending {
    boost::asio::steady_timer timer;
    std::function<void()> fn;
  };
  // Whoever takes a timer out of the map runs it (or drops it, on cancel), exactly once.
  std::shared_ptr<Pending> take(Id id);

  boost::asio::io_context& io_;
  std::mutex mutex_;
  Id next_id_ = 1;
  bool firing_all_ = false;
  std::unordered_map<Id, std::shared_ptr<Pending>> pending_;
};

}  // namespace jobq::server
