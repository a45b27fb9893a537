// Users' running caps by tier ([tiers.NAME] max_running): a lease passes over the ready jobs of
// a user with that many running and takes the next ones it may, so one user cannot fill the
// workers; the cap holds under parallel leasers and across a reopen.
#include <gtest/gtest.h>

#include <atomic>

#include "store/conformance.h"
#include "support/eventually.h"
#include "support/parallel_leasers.h"

namespace jobq::testing {

namespace {

EngineOptions capped() {
  EngineOptions o;
  o.tiers = {{"free", Rate{}}, {"paid", Rate{}}, {"open", Rate{}}};
  o.default_tier = "free";
  o.tier_max_running = {{"free", 1}, {"paid", 3}};
  return o;
}

}  // namespace

class UserCaps : public ::testing::TestWithParam<std::string> {
 protected:
  EngineFixture f{GetParam(), capped()};
  Engine& engine() { return *f.engine; }

  Job submit_for(const std::string& user, const std::string& tier = "", int priority = 50) {
    JobSpec s = f.spec("t", "default", priority);
    s.user_id = user;
    s.tier = tier;
    return f.submit(s);
  }
  std::vector<std::string> ids(const std::vector<Job>& jobs) {
    std::vector<std::string> out;
    for (const Job& j : jobs) out.push_back(j.id);
    return out;
  }
};

TEST_P(UserCaps, AUserAtItsCapIsPassedOverForTheNextUser) {
  Job a1 = submit_for("alice");
  Job a2 = submit_for("alice");
  submit_for("alice");
  Job b1 = submit_for("bob");
  EXPECT_EQ(f.get(a1.id).tier, "free") << "the default tier is kept on the job";
  auto first = f.lease(10);
  EXPECT_EQ(ids(first), (std::vector<std::string>{a1.id, b1.id})) << "one each on the free tier";
  EXPECT_TRUE(f.lease(10).empty()) << "both users are at their cap";
  ASSERT_TRUE(engine().complete(a1.id, first[0].lease_token, "").ok());
  EXPECT_EQ(ids(f.lease(10)), std::vector<std::string>{a2.id});
}

TEST_P(UserCaps, PriorityStaysStrictAmongTheJobsThatMayStart) {
  Job a_low = submit_for("alice", "", 10);
  Job a_high = submit_for("alice", "", 90);
  Job b_mid = submit_for("bob", "", 50);
  Job none = f.submit(f.spec("t", "default", 40));  // no user: never capped
  auto got = f.lease(10);
  EXPECT_EQ(ids(got), (std::vector<std::string>{a_high.id, b_mid.id, none.id}));
  (void)a_low;
}

TEST_P(UserCaps, EachTierHasItsCapAndATierWithoutOneIsUncapped) {
  for (int i = 0; i < 5; ++i) submit_for("carol", "paid");
  for (int i = 0; i < 4; ++i) submit_for("dan", "open");
  auto got = f.lease(20);
  int carol = 0, dan = 0;
  for (const Job& j : got) (j.user_id == "carol" ? carol : dan)++;
  EXPECT_EQ(carol, 3);
  EXPECT_EQ(dan, 4);
  EXPECT_EQ(submit_for("carol", "free").tier, "free") << "another tier, another count";
  EXPECT_EQ(f.lease(5).size(), 1u);
}

TEST_P(UserCaps, AWaitingLeaseIsServedWhenACappedUsersJobStops) {
  Job a1 = submit_for("alice");
  Job a2 = submit_for("alice");
  auto first = f.lease(1);
  ASSERT_EQ(first.size(), 1u);
  std::atomic<bool> served{false};
  engine().lease_async({.worker_id = "w2", .queues = {"default"}}, [&](Result<std::vector<Job>> r) {
    EXPECT_TRUE(r.ok() && r->size() == 1 && r->front().id == a2.id);
    served = true;
  });
  EXPECT_FALSE(served);
  FailReport fatal{"x"};
  fatal.retryable = false;
  ASSERT_TRUE(engine().fail(a1.id, first[0].lease_token, fatal).ok());
  EXPECT_TRUE(eventually([&] { return served.load(); }));
}

TEST_P(UserCaps, RunningCountsSurviveAReopen) {
  if (!f.durable()) GTEST_SKIP() << "the memory store keeps nothing";
  Job a1 = submit_for("alice");
  submit_for("alice");
  ASSERT_EQ(f.lease(1).size(), 1u);
  f.open();
  EXPECT_TRUE(f.lease(5).empty()) << "alice still has a job running";
  EXPECT_EQ(f.get(a1.id).tier, "free");
}

// Leasers on several threads, each finishing what it got: a user never has more running than
// the cap, whatever the interleaving, and every job is done once.
TEST_P(UserCaps, ParallelLeasersNeverExceedAUsersCap) {
  constexpr int kJobs = 90, kCap = 3, kThreads = 6;
  std::vector<JobSpec> specs;
  for (int i = 0; i < kJobs; ++i) {
    JobSpec s = f.spec();
    s.user_id = "carol";
    s.tier = "paid";
    specs.push_back(s);
  }
  ASSERT_TRUE(engine().submit_batch(specs).ok());
  auto run =
      lease_in_parallel(engine(), {.queues = {"default"}, .max_jobs = kCap + 2}, kJobs, kThreads);
  EXPECT_LE(run.most, kCap) << "at most " << kCap << " of one user may run";
  EXPECT_EQ(run.done, kJobs);
  EXPECT_EQ(run.most, kCap) << "a first lease takes the cap at once: the check could fail";
}

INSTANTIATE_TEST_SUITE_P(Backends, UserCaps, ::testing::Values("memory", "sqlite", "redis"),
                         [](const auto& info) { return info.param; });

}  // namespace jobq::testing
