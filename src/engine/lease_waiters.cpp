#include "engine/lease_waiters.h"

#include <algorithm>
#include <vector>

namespace jobq {

std::uint64_t LeaseWaiters::add(LeaseRequest request, Engine::LeaseCallback done) {
  std::vector<Claim> claims(1);
  {
    std::lock_guard lock(mutex_);
    claims[0] = {next_id_++, Waiter{std::move(request), std::move(done)}, std::vector<Job>{},
                 offers_.load()};
    claimed_.insert(claims[0].id);
  }
  std::uint64_t id = claims[0].id;
  lease_for(claims);
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
  ++offers_;
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
  std::vector<std::uint64_t> ready = ready_waiters();
  std::vector<Claim> claims;
  {
    std::lock_guard lock(mutex_);
    for (std::uint64_t id : ready)
      if (auto it = waiting_.find(id); it != waiting_.end())  // else cancelled meanwhile
        claims.push_back(take(it));
  }
  lease_for(claims);
}

void LeaseWaiters::offer(const std::vector<Job>& jobs) {
  ++offers_;
  std::vector<Claim> claims;
  {
    std::lock_guard lock(mutex_);
    claims = take_matching(jobs);
  }
  lease_for(claims);
}

std::vector<LeaseWaiters::Claim> LeaseWaiters::claim_for(const std::vector<Job>& jobs) {
  std::lock_guard lock(mutex_);
  return take_matching(jobs);
}

namespace {

bool matches(const LeaseRequest& r, const Job& job) {
  auto has = [](const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  return has(r.queues, job.queue) && (r.types.empty() || has(r.types, job.type));
}

}  // namespace

std::vector<LeaseWaiters::Claim> LeaseWaiters::take_matching(const std::vector<Job>& jobs) {
  std::vector<Claim> claims;
  std::map<std::uint64_t, int> room;  // of the waiters taken out: jobs each may still take
  for (const Job& job : jobs) {
    if (job.status != JobStatus::queued) continue;
    bool placed = false;
    for (Claim& c : claims)
      if (room[c.id] > 0 && matches(c.waiter.request, job)) {
        --room[c.id];
        placed = true;
        break;
      }
    if (placed) continue;
    for (auto it = waiting_.begin(); it != waiting_.end(); ++it)
      if (matches(it->second.request, job)) {
        room[it->first] = it->second.request.max_jobs - 1;
        claims.push_back(take(it));
        break;
      }
  }
  return claims;
}

LeaseWaiters::Claim LeaseWaiters::take(std::map<std::uint64_t, Waiter>::iterator it) {
  std::uint64_t id = it->first;
  claimed_.insert(id);
  Claim c{id, std::move(it->second), std::vector<Job>{}, offers_.load()};
  waiting_.erase(it);
  return c;
}

void LeaseWaiters::lease_for(std::vector<Claim>& claims) {
  for (Claim& c : claims) {
    auto w = std::make_shared<Waiter>(std::move(c.waiter));
    lease_(w->request, [this, id = c.id, w, seen = c.offers_seen](Result<std::vector<Job>> jobs) {
      leased(id, *w, std::move(jobs), seen);
    });
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

void LeaseWaiters::settle(std::vector<Claim>& claims, bool written) {
  for (Claim& c : claims)
    leased(c.id, c.waiter,
           written ? std::move(c.jobs) : Result<std::vector<Job>>(std::vector<Job>{}),
           c.offers_seen);
}

void LeaseWaiters::leased(std::uint64_t id, Waiter& w, Result<std::vector<Job>> jobs,
                          std::uint64_t seen) {
  bool keep_waiting = jobs.ok() && jobs->empty();
  bool missed = false;
  {
    std::lock_guard lock(mutex_);
    claimed_.erase(id);
    if (claimed_cancelled_.erase(id)) keep_waiting = false;
    if (keep_waiting) waiting_.emplace(id, std::move(w));
    // Read after the waiter is back: an offer counted later finds it waiting.
    missed = offers_.load() != seen;
  }
  if (!keep_waiting) return w.done(std::move(jobs));
  // A job made ready while this waiter was taken out was not offered to it: look again.
  if (missed) serve();
}

}  // namespace jobq
