// Leases that wait are woken by the submit itself, and concurrent workers never share a job.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "support/engine_fixture.h"
#include "support/eventually.h"

namespace jobq {
namespace {

using testing::EngineFixture;

class LeaseWait : public ::testing::TestWithParam<std::string> {
 protected:
  EngineFixture f{GetParam()};
  LeaseRequest request(std::vector<std::string> types = {}) {
    LeaseRequest r;
    r.worker_id = "w";
    r.types = std::move(types);
    return r;
  }
};

TEST_P(LeaseWait, WaitingLeaseIsHandedTheMatchingSubmit) {
  std::promise<Result<std::vector<Job>>> got;
  std::uint64_t handle = f.engine->lease_async(
      request({"wanted"}), [&](Result<std::vector<Job>> r) { got.set_value(std::move(r)); });
  EXPECT_NE(handle, 0u);
  auto future = got.get_future();
  f.submit("other");
  EXPECT_EQ(future.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
  Job job = f.submit("wanted");
  // The submit itself serves the waiter (with no sweeper here, nothing else could): at once on
  // the memory store, right after its commit on sqlite.
  ASSERT_EQ(future.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  auto leased = future.get();
  ASSERT_TRUE(leased.ok());
  ASSERT_EQ(leased->size(), 1u);
  EXPECT_EQ((*leased)[0].id, job.id);
  EXPECT_EQ(f.get(job.id).status, JobStatus::running);
  EXPECT_FALSE(f.engine->cancel_wait(handle));
}

// A second engine on the same store stands for another jobqd node: its writes do not wake this
// engine's waiters until the store reports them through job_ready().
TEST_P(LeaseWait, AJobMadeReadyElsewhereIsHandedOverOnceReported) {
  std::promise<Result<std::vector<Job>>> got;
  f.engine->lease_async(request(),
                        [&](Result<std::vector<Job>> r) { got.set_value(std::move(r)); });
  auto future = got.get_future();
  EventBus other_bus;
  Engine other(*f.store, f.clock, other_bus);
  auto submitted = other.submit(f.spec());
  ASSERT_TRUE(submitted.ok()) << submitted.error().to_string();
  EXPECT_EQ(future.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
  EXPECT_EQ(f.engine->waiting_leases(), 1u);

  f.engine->job_ready(submitted->job);
  ASSERT_EQ(future.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  auto leased = future.get();
  ASSERT_TRUE(leased.ok()) << leased.error().to_string();
  ASSERT_EQ(leased->size(), 1u);
  EXPECT_EQ((*leased)[0].id, submitted->job.id);
  EXPECT_EQ(f.engine->waiting_leases(), 0u);
}

TEST_P(LeaseWait, WaitersAreServedInArrivalOrder) {
  std::vector<int> order;
  std::mutex m;
  for (int i = 0; i < 3; ++i)
    f.engine->lease_async(request(), [&, i](Result<std::vector<Job>>) {
      std::lock_guard lock(m);
      order.push_back(i);
    });
  for (int i = 0; i < 3; ++i) f.submit();
  ASSERT_TRUE(testing::eventually([&] {
    std::lock_guard lock(m);
    return order.size() == 3;
  }));
  std::lock_guard lock(m);
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
}

TEST_P(LeaseWait, CancelledWaiterIsNeverCalledAndTakesNoJob) {
  bool called = false;
  std::uint64_t handle =
      f.engine->lease_async(request(), [&](Result<std::vector<Job>>) { called = true; });
  EXPECT_TRUE(f.engine->cancel_wait(handle));
  Job job = f.submit();
  EXPECT_FALSE(called);
  EXPECT_EQ(f.get(job.id).status, JobStatus::queued);
}

TEST_P(LeaseWait, LeaseAvailableNowIsAnsweredAtOnce) {
  Job job = f.submit();
  auto leased = f.engine->lease_wait(request(), 10'000);
  ASSERT_TRUE(leased.ok());
  ASSERT_EQ(leased->size(), 1u);
  EXPECT_EQ((*leased)[0].id, job.id);
}

TEST_P(LeaseWait, LeaseWaitAnswersEmptyWhenItsTimeIsUp) {
  auto leased = f.engine->lease_wait(request(), 20);
  ASSERT_TRUE(leased.ok());
  EXPECT_TRUE(leased->empty());
  Job job = f.submit();
  EXPECT_EQ(f.get(job.id).status, JobStatus::queued);  // nobody is still waiting for it
}

TEST_P(LeaseWait, InvalidLeaseIsAnsweredWithItsError) {
  LeaseRequest r = request();
  r.lease_ms = 10;
  auto leased = f.engine->lease_wait(r, 1000);
  ASSERT_FALSE(leased.ok());
  EXPECT_EQ(leased.error().field(), "lease_ms");
}

TEST_P(LeaseWait, ConcurrentWorkersCompleteEveryJobExactlyOnce) {
  constexpr int kJobs = 400, kWorkers = 4;
  std::atomic<int> completed{0};
  std::mutex m;
  std::multiset<std::string> done_ids;
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w)
    workers.emplace_back([&, w] {
      LeaseRequest r = request();
      r.worker_id = "w" + std::to_string(w);
      r.max_jobs = 7;
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      while (completed.load() < kJobs && std::chrono::steady_clock::now() < deadline) {
        auto jobs = f.engine->lease_wait(r, 50);
        ASSERT_TRUE(jobs.ok());
        for (const Job& j : *jobs) {
          auto done = f.engine->complete(j.id, j.lease_token, "1");
          ASSERT_TRUE(done.ok()) << done.error().to_string();
          std::lock_guard lock(m);
          done_ids.insert(j.id);
          ++completed;
        }
      }
    });
  std::thread producer([&] {
    for (int i = 0; i < kJobs / 10; ++i) {
      std::vector<JobSpec> batch(10, f.spec());
      ASSERT_TRUE(f.engine->submit_batch(batch).ok());
    }
  });
  producer.join();
  for (auto& t : workers) t.join();
  EXPECT_EQ(completed.load(), kJobs);
  std::set<std::string> unique(done_ids.begin(), done_ids.end());
  EXPECT_EQ(unique.size(), std::size_t(kJobs));
  auto stats = f.engine->stats();
  EXPECT_EQ(stats->by_status[int(JobStatus::completed)], kJobs);
}

INSTANTIATE_TEST_SUITE_P(Backends, LeaseWait, ::testing::Values("memory", "sqlite"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace jobq
