#include "engine/lease_waiters.h"

#include <vector>

namespace jobq {

std::uint64_t LeaseWaiters::add(LeaseRequest request, Engine::LeaseCallback done) {
  std::uint64_t id;
  {
    std::lock_guard lock(mutex_);
    id = next_id_++;
    waiting_.emplace(id, Waiter{std::move(request), std::move(done)});
  }
  serve();  // it may be served at once
  return id;
}

bool LeaseWaiters::cancel(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  if (waiting_.erase(id)) return true;
  if (claimed_.count(id)) claimed_cancelled_.insert(id);
  return false;
}

void LeaseWaiters::release_all() {
  std::map<std::uint64_t, Waiter> all;
  {
    std::lock_guard lock(mutex_);
    all.swap(waiting_);
  }
  for (auto& [id, w] : all) w.done(std::vector<Job>{});
}

std::size_t LeaseWaiters::size() {
  std::lock_guard lock(mutex_);
  return waiting_.size();
}

void LeaseWaiters::serve() {
  dirty_ = true;
  // Whoever holds serve_mutex_ sees dirty_ and passes again; the re-check after unlocking closes
  // the gap between its last look and its unlock.
  while (dirty_.load()) {
    std::unique_lock serving(serve_mutex_, std::try_to_lock);
    if (!serving) return;
    while (dirty_.exchange(false)) pass();
  }
}

// Every waiter that a ready job matches gets a lease under way; with several waiters for one job,
// all but one come back empty and wait on (the store hands each job out once).
void LeaseWaiters::pass() {
  for (std::uint64_t id : ready_waiters()) {
    auto w = std::make_shared<Waiter>();
    {
      std::lock_guard lock(mutex_);
      auto it = waiting_.find(id);
      if (it == waiting_.end()) continue;  // cancelled meanwhile
      *w = std::move(it->second);
      waiting_.erase(it);
      claimed_.insert(id);
    }
    lease_(w->request,
           [this, id, w](Result<std::vector<Job>> jobs) { leased(id, *w, std::move(jobs)); });
  }
}

// The store is asked outside the lock: its has_ready may take a while (a backend shared by
// several nodes), and waiters come and go meanwhile.
std::vector<std::uint64_t> LeaseWaiters::ready_waiters() {
  std::vector<std::pair<std::uint64_t, LeaseRequest>> waiting;
  {
    std::lock_guard lock(mutex_);
    waiting.reserve(waiting_.size());
    for (const auto& [id, w] : waiting_) waiting.emplace_back(id, w.request);
  }
  std::vector<std::uint64_t> ready;
  for (const auto& [id, request] : waiting)
    if (has_ready_(request)) ready.push_back(id);
  return ready;
}

std::vector<LeaseWaiters::Claim> LeaseWaiters::claim_ready() {
  std::vector<std::uint64_t> ready = ready_waiters();
  std::vector<Claim> claims;
  std::lock_guard lock(mutex_);
  for (std::uint64_t id : ready) {
    auto it = waiting_.find(id);
    if (it == waiting_.end()) continue;  // cancelled meanwhile
    claimed_.insert(id);
    claims.push_back({id, std::move(it->second)});
    waiting_.erase(it);
  }
  return claims;
}

void LeaseWaiters::settle(std::vector<Claim>& claims, bool written) {
  for (Claim& c : claims)
    leased(c.id, c.waiter,
           written ? std::move(c.jobs) : Result<std::vector<Job>>(std::vector<Job>{}));
}

void LeaseWaiters::leased(std::uint64_t id, Waiter& w, Result<std::vector<Job>> jobs) {
  bool keep_waiting = jobs.ok() && jobs->empty();
  {
    std::lock_guard lock(mutex_);
    claimed_.erase(id);
    if (claimed_cancelled_.erase(id)) keep_waiting = false;
    if (keep_waiting) waiting_.emplace(id, std::move(w));
  }
  if (!keep_waiting) return w.done(std::move(jobs));
  // A job made ready while this waiter was claimed was not offered to it: look again.
  serve();
}

}  // namespace jobq
