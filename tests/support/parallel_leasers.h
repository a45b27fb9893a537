// Leasers on several threads, each completing what it got at once, until `jobs` are done or a
// minute has passed: how many jobs ran at once at the most, and how many were done. For the caps'
// tests: whatever the interleaving, the most never passes the cap.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "jobq/engine.h"

namespace jobq::testing {

struct ParallelRun {
  int most = 0;  // running at once, as the leasers saw it
  int done = 0;  // completed
};

inline ParallelRun lease_in_parallel(Engine& engine, const LeaseRequest& request, int jobs,
                                     int threads) {
  std::atomic<int> running{0}, most{0}, done{0};
  std::vector<std::thread> leasers;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (int t = 0; t < threads; ++t) {
    leasers.emplace_back([&, t] {
      LeaseRequest r = request;
      r.worker_id = "w" + std::to_string(t);
      while (done.load() < jobs && std::chrono::steady_clock::now() < until) {
        auto leased = engine.lease(r);
        if (!leased.ok()) continue;
        int now_running = running += int(leased->size());
        int seen = most.load();
        while (now_running > seen && !most.compare_exchange_weak(seen, now_running)) {
        }
        for (const Job& j : *leased) {
          --running;  // before the complete: the store's count drops after it, never before
          if (engine.complete(j.id, j.lease_token, "").ok()) ++done;
        }
      }
    });
  }
  for (auto& t : leasers) t.join();
  return {most.load(), done.load()};
}

}  // namespace jobq::testing
