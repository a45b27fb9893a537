// Users' submit quotas: a token bucket per user and tier, taken in the submit's own write.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "store/conformance.h"

namespace jobq::testing {

namespace {

constexpr Millis kDay = 86'400'000;

EngineOptions tiered() {
  EngineOptions o;
  o.tiers = {{"free", Rate{5, kDay}}, {"paid", Rate{1000, kDay}}};
  o.default_tier = "free";
  return o;
}

JobSpec by(const std::string& user, const std::string& tier = "") {
  JobSpec s;
  s.type = "t";
  s.user_id = user;
  s.tier = tier;
  return s;
}

}  // namespace

class Quotas : public ::testing::TestWithParam<std::string> {
 protected:
  EngineFixture f{GetParam(), tiered()};
  Engine& engine() { return *f.engine; }
};

TEST_P(Quotas, AUserGetsTheTiersCountThenAQuotaErrorSayingWhen) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(engine().submit(by("u1")).ok()) << i;
  auto over = engine().submit(by("u1"));
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code(), ErrorCode::quota_exceeded);
  EXPECT_EQ(over.error().field(), "user_id");
  EXPECT_EQ(over.error().retry_after_ms(), kDay / 5);  // one submit back every 4.8 hours
  EXPECT_NE(over.error().message().find("free"), std::string::npos) << over.error().message();

  EXPECT_TRUE(engine().submit(by("u2")).ok()) << "each user has a bucket of their own";
  EXPECT_TRUE(engine().submit(by("")).ok()) << "a job with no user has no quota";
  EXPECT_TRUE(engine().submit(by("u1", "paid")).ok()) << "another tier, another bucket";

  f.clock.advance(kDay / 5 - 1);
  EXPECT_FALSE(engine().submit(by("u1")).ok());
  f.clock.advance(1);
  EXPECT_TRUE(engine().submit(by("u1")).ok());
  EXPECT_FALSE(engine().submit(by("u1")).ok());
}

TEST_P(Quotas, ABatchOverItsQuotaIsRefusedWholeAndStoresNothing) {
  ASSERT_TRUE(engine().submit(by("u1")).ok());
  ASSERT_TRUE(engine().submit(by("u1")).ok());
  std::vector<JobSpec> four(4, by("u1"));
  four.push_back(by("u9"));
  auto refused = engine().submit_batch(four);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::quota_exceeded);
  EXPECT_EQ(refused.error().retry_after_ms(), kDay / 5);
  std::vector<JobSpec> six(6, by("u3"));
  auto never = engine().submit_batch(six);
  ASSERT_FALSE(never.ok());
  EXPECT_EQ(never.error().code(), ErrorCode::quota_exceeded);
  EXPECT_EQ(never.error().retry_after_ms(), 0) << "six at once never fit in five";
  auto page = engine().list({}, {});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->jobs.size(), 2u);
  EXPECT_EQ(engine().submit_batch(std::vector<JobSpec>(3, by("u1"))).ok(), true);
}

TEST_P(Quotas, AnUnknownTierOrATierWithoutAUserIsRefused) {
  auto unknown = engine().submit(by("u1", "gold"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().field(), "tier");
  EXPECT_NE(unknown.error().message().find("free, paid"), std::string::npos);
  auto batch = engine().submit_batch({by("u1"), by("u1", "gold")});
  EXPECT_EQ(batch.error().field(), "jobs[1].tier");
  EXPECT_EQ(engine().submit(by("", "paid")).error().field(), "tier");
}

TEST_P(Quotas, ATierOnAServerWithoutTiersIsRefusedNotIgnored) {
  EngineFixture plain(GetParam());
  auto refused = plain.engine->submit(by("u1", "paid"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().field(), "tier");
  EXPECT_NE(refused.error().message().find("none"), std::string::npos);
  EXPECT_TRUE(plain.engine->submit(by("u1")).ok());
}

TEST_P(Quotas, ParallelSubmittersNeverGetMoreThanTheQuota) {
  constexpr int kThreads = 8, kEach = 6;  // 48 tries at a quota of 20
  EngineOptions o;
  o.tiers = {{"t", Rate{20, kDay}}};
  o.default_tier = "t";
  EngineFixture g(GetParam(), o);
  std::atomic<int> accepted{0}, refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        auto r = g.engine->submit(by("u1"));
        if (r.ok())
          ++accepted;
        else if (r.error().code() == ErrorCode::quota_exceeded)
          ++refused;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(accepted.load(), 20);
  EXPECT_EQ(refused.load(), kThreads * kEach - 20);
}

TEST_P(Quotas, BucketsFullAgainArePurgedAndTheQuotaReadsTheSame) {
  auto purge = [&] {
    auto n = f.store->write([&](WriteGroup& g) { return g.purge_quotas(f.clock.now(), 100); });
    EXPECT_TRUE(n.ok()) << n.error().to_string();
    return n.ok() ? *n : 0;
  };
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(engine().submit(by("u1")).ok());
  ASSERT_TRUE(engine().submit(by("u2")).ok());
  EXPECT_EQ(purge(), 0u) << "both still have tokens to get back";
  f.clock.advance(kDay / 5 + 1);  // u2's one token is back: its bucket is full
  EXPECT_EQ(purge(), 1u);
  EXPECT_FALSE(engine().submit(by("u1")).ok() && engine().submit(by("u1")).ok())
      << "u1's bucket, not full, was kept";
  f.clock.advance(kDay + 1);
  EXPECT_EQ(purge(), 1u);  // u1's (u2 has had none since)
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(engine().submit(by("u1")).ok()) << i;
  EXPECT_FALSE(engine().submit(by("u1")).ok());
  EXPECT_TRUE(engine().tick().ok());  // the sweep purges them too
}

TEST_P(Quotas, WhatWasTakenSurvivesAReopen) {
  if (!f.durable()) GTEST_SKIP() << "the memory store keeps nothing";
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(engine().submit(by("u1")).ok());
  f.open();
  auto over = engine().submit(by("u1"));
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code(), ErrorCode::quota_exceeded);
}

INSTANTIATE_TEST_SUITE_P(Backends, Quotas, ::testing::Values("memory", "sqlite", "redis"),
                         [](const auto& info) { return info.param; });

}  // namespace jobq::testing
