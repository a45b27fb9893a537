#include "server/transport/asio_timers.h"

#include <boost/asio/post.hpp>
#include <vector>

namespace jobq::server {

namespace asio = boost::asio;

Timers::Id AsioTimers::after(std::chrono::milliseconds delay, std::function<void()> fn) {
  std::lock_guard lock(mutex_);
  Id id = next_id_++;
  if (firing_all_) {
    asio::post(io_, std::move(fn));
    return id;
  }
  auto p = std::make_shared<Pending>(Pending{asio::steady_timer(io_, delay), std::move(fn)});
  pending_.emplace(id, p);
  p->timer.async_wait([this, id](const boost::system::error_code&) {
    // Cancelled or due: it runs only if nobody took it out first.
    if (auto mine = take(id)) mine->fn();
  });
  return id;
}

std::shared_ptr<AsioTimers::Pending> AsioTimers::take(Id id) {
  std::lock_guard lock(mutex_);
  auto it = pending_.find(id);
  if (it == pending_.end()) return nullptr;
  auto p = std::move(it->second);
  pending_.erase(it);
  return p;
}

bool AsioTimers::cancel(Id id) {
  auto p = take(id);
  if (!p) return false;
  // A timer is not safe to touch from two threads; its own io_context cancels it.
  asio::post(io_, [p] { p->timer.cancel(); });
  return true;
}

void AsioTimers::fire_all() {
  std::vector<std::shared_ptr<Pending>> all;
  {
    std::lock_guard lock(mutex_);
    firing_all_ = true;
    for (auto& [id, p] : pending_) all.push_back(p);
  }
  // The wait handlers see operation_aborted, find themselves still pending, and run.
  for (auto& p : all) asio::post(io_, [p] { p->timer.cancel(); });
}

}  // namespace jobq::server
