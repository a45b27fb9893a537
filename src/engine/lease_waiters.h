// Leases that wait: each is served, in arrival order, the moment a matching job is ready.
// There is no polling loop: whoever makes a job ready calls serve().
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <vector>

#include "jobq/engine.h"

namespace jobq {

class LeaseWaiters {
 public:
  using HasReady = std::function<bool(const LeaseRequest&)>;
  // Leases for a waiter, answering now or later, from any thread.
  using Lease = std::function<void(const LeaseRequest&, Engine::LeaseCallback)>;

  struct Waiter {
    LeaseRequest request;
    Engine::LeaseCallback done;
  };
  // A waiter taken out to be served inside a write (see claim_ready), and what it got there.
  struct Claim {
    std::uint64_t id;
    Waiter waiter;
    Result<std::vector<Job>> jobs = std::vector<Job>{};
  };

  LeaseWaiters(HasReady has_ready, Lease lease)
      : has_ready_(std::move(has_ready)), lease_(std::move(lease)) {}

  std::uint64_t add(LeaseRequest request, Engine::LeaseCallback done);
  // True if the waiter was removed and its callback will never run; false if the callback has run
  // or will (a lease for it is under way).
  bool cancel(std::uint64_t id);
  // Answers every waiter with nothing (shutdown).
  void release_all();
  // Hands ready jobs to waiters. Safe to call from any thread, as often as wanted: concurrent
  // calls fold into one pass loop that runs until nothing changed while it ran.
  void serve();
  std::size_t size();

  // Inside the write that made jobs ready: takes out the waiters a ready job matches now, in
  // arrival order, so that the same write leases for them and one commit covers the submit and
  // the hand-over. Each claim must be given back to settle() once that write has ended.
  std::vector<Claim> claim_ready();
  // After that write: each claimed waiter gets what its lease got, or waits on if it got nothing
  // (another waiter took the job). With `written` false the write failed and leased nothing:
  // every claimed waiter waits on.
  void settle(std::vector<Claim>& claims, bool written);

 private:
  void pass();
  // The waiters, in arrival order, that a ready job matches now.
  std::vector<std::uint64_t> ready_waiters();
  // A lease for waiter `id` answered: hand it over, or wait on if another lease took the job.
  void leased(std::uint64_t id, Waiter& w, Result<std::vector<Job>> jobs);

  HasReady has_ready_;
  Lease lease_;
  std::mutex mutex_;
  std::uint64_t next_id_ = 1;
  std::map<std::uint64_t, Waiter> waiting_;  // by id: arrival order
  std::set<std::uint64_t> claimed_;          // a lease for them is under way
  std::set<std::uint64_t> claimed_cancelled_;
  std::mutex serve_mutex_;
  std::atomic<bool> dirty_{false};
};

}  // namespace jobq
