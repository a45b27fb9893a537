// Leases that wait: each is served, in arrival order, the moment a matching job is ready.
// There is no polling loop: whoever makes a job ready offers it (offer, claim_for), or calls
// serve() when it cannot say which jobs. Only serve() asks the store (has_ready, which may be a
// round trip to a shared store); a new waiter and an offered job are matched without it, so that
// no I/O thread waits on the store.
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
  // A waiter taken out to be served inside a write (see claim_for), and what it got there.
  struct Claim {
    std::uint64_t id;
    Waiter waiter;
    Result<std::vector<Job>> jobs = std::vector<Job>{};
    std::uint64_t offers_seen = 0;  // offers_ when it was taken out
  };

  LeaseWaiters(HasReady has_ready, Lease lease)
      : has_ready_(std::move(has_ready)), lease_(std::move(lease)) {}

  // A new waiter leases at once (lease_, never the store from the calling thread) and waits
  // only if that lease got nothing.
  std::uint64_t add(LeaseRequest request, Engine::LeaseCallback done);
  // True if the waiter was removed and its callback will never run; false if the callback has run
  // or will (a lease for it is under way).
  bool cancel(std::uint64_t id);
  // Answers every waiter with nothing (shutdown).
  void release_all();
  // Hands ready jobs to waiters, asking the store which waiters it has jobs for. Safe to call from
  // any thread, as often as wanted: concurrent calls fold into one pass loop that runs until
  // nothing changed while it ran.
  void serve();
  // These jobs became ready (those not queued are skipped): each goes to the first waiter, in
  // arrival order, whose request it matches and who has room for it, and those waiters lease.
  void offer(const std::vector<Job>& jobs);
  std::size_t size();

  // Inside the write that made `jobs` ready: takes out the waiters they match, as offer() would,
  // so that the same write leases for them and one commit covers the submit and the hand-over.
  // Each claim must be given back to settle() once that write has ended.
  std::vector<Claim> claim_for(const std::vector<Job>& jobs);
  // After that write: each claimed waiter gets what its lease got, or waits on if it got nothing
  // (another waiter took the job). With `written` false the write failed and leased nothing:
  // every claimed waiter waits on.
  void settle(std::vector<Claim>& claims, bool written);

 private:
  void pass();
  // The waiters, in arrival order, that a ready job matches now.
  std::vector<std::uint64_t> ready_waiters();
  // Under mutex_: takes out the waiters `jobs` go to.
  std::vector<Claim> take_matching(const std::vector<Job>& jobs);
  // Under mutex_: takes this waiter out, as claimed.
  Claim take(std::map<std::uint64_t, Waiter>::iterator it);
  // A lease for each claim, answered through leased().
  void lease_for(std::vector<Claim>& claims);
  // A lease for waiter `id`, taken out when offers_ was `seen`, answered: hand it over, or wait on
  // if it got nothing (another lease took the job), looking again if jobs were offered meanwhile.
  void leased(std::uint64_t id, Waiter& w, Result<std::vector<Job>> jobs, std::uint64_t seen);

  HasReady has_ready_;
  Lease lease_;
  std::mutex mutex_;
  std::uint64_t next_id_ = 1;
  std::map<std::uint64_t, Waiter> waiting_;  // by id: arrival order
  std::set<std::uint64_t> claimed_;          // a lease for them is under way
  std::set<std::uint64_t> claimed_cancelled_;
  std::mutex serve_mutex_;
  std::atomic<bool> dirty_{false};
  // Counts serve() and offer() calls: a waiter whose lease was under way during one may have
  // missed its job.
  std::atomic<std::uint64_t> offers_{0};
};

}  // namespace jobq
