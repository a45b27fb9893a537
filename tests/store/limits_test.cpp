// Limits per queue and per type: running caps and start rates, enforced by the store's lease.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "store/conformance.h"
#include "support/eventually.h"
#include "support/parallel_leasers.h"

namespace jobq::testing {

namespace {

LimitSetting queue_limit(std::string name, std::int64_t max_running, Rate starts = {}) {
  return {LimitScope::queue, std::move(name), {max_running, starts}};
}

std::size_t count_in(const std::vector<Job>& jobs, const std::string& queue) {
  return std::count_if(jobs.begin(), jobs.end(), [&](const Job& j) { return j.queue == queue; });
}

}  // namespace

TEST_P(StoreConformance, AQueueAtItsCapIsPassedOverForTheNextQueue) {
  for (int i = 0; i < 3; ++i) f.submit("call", "api", 90);
  for (int i = 0; i < 2; ++i) f.submit("other", "misc", 10);
  ASSERT_TRUE(engine().set_limits(queue_limit("api", 2)).ok());
  auto leased = f.lease(5, {"api", "misc"});
  // Better priority, but capped: two from api, then misc's.
  ASSERT_EQ(leased.size(), 4u);
  EXPECT_EQ(count_in(leased, "api"), 2u);
  EXPECT_EQ(count_in(leased, "misc"), 2u);
  EXPECT_TRUE(f.lease(1, {"api"}).empty());

  const Job& api = leased[0].queue == "api" ? leased[0] : leased[1];
  ASSERT_TRUE(engine().complete(api.id, api.lease_token, "").ok());
  EXPECT_EQ(f.lease(5, {"api"}).size(), 1u);  // one place came free
}

// Jobs that started before a cap was set count against it, also when every limit was removed in
// between (a store may count running jobs only while some limit is set).
TEST_P(StoreConformance, ACapSetWhileJobsRunCountsThem) {
  for (int i = 0; i < 4; ++i) f.submit("call", "api");
  auto first = f.lease(2, {"api"});
  ASSERT_EQ(first.size(), 2u);
  ASSERT_TRUE(engine().set_limits(queue_limit("api", 2)).ok());
  EXPECT_TRUE(f.lease(1, {"api"}).empty());
  ASSERT_TRUE(engine().complete(first[0].id, first[0].lease_token, "").ok());
  EXPECT_EQ(f.lease(2, {"api"}).size(), 1u);  // one place came free

  // No limit for a while: a job ends and another starts.
  ASSERT_TRUE(engine().set_limits(queue_limit("api", 0)).ok());
  ASSERT_TRUE(engine().complete(first[1].id, first[1].lease_token, "").ok());
  auto third = f.lease(1, {"api"});
  ASSERT_EQ(third.size(), 1u);

  ASSERT_TRUE(engine().set_limits(queue_limit("api", 2)).ok());
  f.submit("call", "api");
  EXPECT_TRUE(f.lease(1, {"api"}).empty());  // two run: at the cap
  ASSERT_TRUE(engine().complete(third[0].id, third[0].lease_token, "").ok());
  EXPECT_EQ(f.lease(1, {"api"}).size(), 1u);
}

TEST_P(StoreConformance, ATypeCapHoldsAcrossQueues) {
  f.submit("charge", "eu");
  f.submit("charge", "us");
  f.submit("email", "us");
  ASSERT_TRUE(engine().set_limits({LimitScope::type, "charge", {1, {}}}).ok());
  auto leased = f.lease(5, {"eu", "us"});
  ASSERT_EQ(leased.size(), 2u);
  EXPECT_EQ(
      std::count_if(leased.begin(), leased.end(), [](const Job& j) { return j.type == "charge"; }),
      1);
}

TEST_P(StoreConformance, ARateLetsABurstThenOneStartEveryPeriodOverCount) {
  for (int i = 0; i < 6; ++i) f.submit("send", "mail");
  ASSERT_TRUE(engine().set_limits(queue_limit("mail", 0, {2, 1000})).ok());
  EXPECT_EQ(f.lease(6, {"mail"}).size(), 2u);  // the burst
  f.clock.advance(499);
  EXPECT_TRUE(f.lease(6, {"mail"}).empty());
  f.clock.advance(1);
  EXPECT_EQ(f.lease(6, {"mail"}).size(), 1u);  // one token every 500 ms
  f.clock.advance(10'000);
  EXPECT_EQ(f.lease(6, {"mail"}).size(), 2u);  // an idle bucket holds only `count`
}

TEST_P(StoreConformance, LimitsAreListedChangedAndRemoved) {
  ASSERT_TRUE(engine().set_limits(queue_limit("mail", 3, {10, 60'000})).ok());
  ASSERT_TRUE(engine().set_limits({LimitScope::type, "charge", {1, {}}}).ok());
  auto all = engine().limits();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].scope, LimitScope::queue);
  EXPECT_EQ((*all)[0].name, "mail");
  EXPECT_EQ((*all)[0].limits, (Limits{3, {10, 60'000}}));
  EXPECT_EQ((*all)[1].scope, LimitScope::type);
  EXPECT_EQ((*all)[1].limits, (Limits{1, {}}));

  ASSERT_TRUE(engine().set_limits(queue_limit("mail", 0)).ok());  // none: removed
  all = engine().limits();
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].name, "charge");
}

TEST_P(StoreConformance, LimitsAreCheckedAndRefusedWithTheField) {
  EXPECT_EQ(engine().set_limits(queue_limit("mail", -1)).field(), "max_running");
  EXPECT_EQ(engine().set_limits(queue_limit("mail", 0, {5, 0})).field(), "starts.period_ms");
  EXPECT_EQ(engine().set_limits(queue_limit("", 1)).field(), "queue");
  EXPECT_EQ(engine().set_limits({LimitScope::type, std::string(200, 'x'), {1, {}}}).field(),
            "type");
  EXPECT_TRUE(engine().limits()->empty());
}

TEST_P(StoreConformance, AWaitingLeaseIsServedWhenACappedJobStops) {
  f.submit("call", "api");
  Job second = f.submit("call", "api");
  ASSERT_TRUE(engine().set_limits(queue_limit("api", 1)).ok());
  auto first = f.lease(1, {"api"});
  ASSERT_EQ(first.size(), 1u);
  std::atomic<bool> served{false};
  engine().lease_async({.worker_id = "w2", .queues = {"api"}}, [&](Result<std::vector<Job>> r) {
    EXPECT_TRUE(r.ok() && r->size() == 1 && r->front().id == second.id);
    served = true;
  });
  EXPECT_FALSE(served);
  ASSERT_TRUE(engine().complete(first[0].id, first[0].lease_token, "").ok());
  EXPECT_TRUE(eventually([&] { return served.load(); }));
}

TEST_P(StoreConformance, AWaitingLeaseIsServedByATickOnceTheBucketRefills) {
  f.submit("send", "mail");
  Job second = f.submit("send", "mail");
  ASSERT_TRUE(engine().set_limits(queue_limit("mail", 0, {1, 1000})).ok());
  ASSERT_EQ(f.lease(1, {"mail"}).size(), 1u);
  std::atomic<bool> served{false};
  engine().lease_async({.worker_id = "w2", .queues = {"mail"}}, [&](Result<std::vector<Job>> r) {
    EXPECT_TRUE(r.ok() && r->size() == 1 && r->front().id == second.id);
    served = true;
  });
  ASSERT_TRUE(engine().tick().ok());
  EXPECT_FALSE(served);
  f.clock.advance(1000);
  ASSERT_TRUE(engine().tick().ok());
  EXPECT_TRUE(eventually([&] { return served.load(); }));
}

TEST_P(StoreConformance, LimitsTheirBucketsAndRunningCountsSurviveAReopen) {
  if (!f.durable()) GTEST_SKIP() << "the memory store keeps nothing";
  for (int i = 0; i < 4; ++i) f.submit("call", "api");
  ASSERT_TRUE(engine().set_limits(queue_limit("api", 2, {2, 60'000})).ok());
  ASSERT_EQ(f.lease(4, {"api"}).size(), 2u);
  f.open();
  auto all = engine().limits();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].limits, (Limits{2, {2, 60'000}}));
  EXPECT_TRUE(f.lease(4, {"api"}).empty());  // both running still count
  ASSERT_TRUE(engine().set_limits(queue_limit("api", 0, {2, 60'000})).ok());  // rate kept
  EXPECT_TRUE(f.lease(4, {"api"}).empty());  // and its bucket: empty until a token is back
  f.clock.advance(30'000);
  EXPECT_EQ(f.lease(4, {"api"}).size(), 1u);
}

// Leasers on several threads, each finishing what it got: the queue never has more running than
// its cap, whatever the interleaving, and every job is done once.
TEST_P(StoreConformance, ParallelLeasersNeverExceedTheCap) {
  constexpr int kJobs = 120, kCap = 3, kThreads = 6;
  std::vector<JobSpec> specs(kJobs, f.spec("call", "api"));
  ASSERT_TRUE(engine().submit_batch(specs).ok());
  ASSERT_TRUE(engine().set_limits(queue_limit("api", kCap)).ok());
  auto run =
      lease_in_parallel(engine(), {.queues = {"api"}, .max_jobs = kCap + 2}, kJobs, kThreads);
  EXPECT_LE(run.most, kCap) << "at most " << kCap << " may run";
  EXPECT_EQ(run.done, kJobs);
  // A first lease takes kCap at once: the cap was reached, so the check above could fail.
  EXPECT_EQ(run.most, kCap);
}

}  // namespace jobq::testing
