#include "core/rate_bucket.h"

#include <gtest/gtest.h>

namespace jobq {
namespace {

// Starts taken from t=0 to t=end, as many as the bucket gives each ms: how many there were.
int starts_in(const Rate& rate, Millis end) {
  RateBucket b;
  int taken = 0;
  for (Millis t = 0; t < end; ++t)
    while (take_tokens(b, rate, 1, 1'000'000 + t)) ++taken;
  return taken;
}

TEST(RateBucket, ABurstOfCountThenOneEveryPeriodOverCount) {
  Rate rate{3, 3000};  // 3 per 3 s: a burst of 3, then one a second
  RateBucket b;
  Millis t = 1'000'000;
  EXPECT_TRUE(take_tokens(b, rate, 1, t));
  EXPECT_TRUE(take_tokens(b, rate, 1, t));
  EXPECT_TRUE(take_tokens(b, rate, 1, t));
  RateBucket full = b;
  EXPECT_FALSE(take_tokens(b, rate, 1, t));
  EXPECT_EQ(b, full);  // a refused take changes nothing
  EXPECT_EQ(wait_for_tokens(b, rate, 1, t), 1000);
  EXPECT_FALSE(take_tokens(b, rate, 1, t + 999));
  EXPECT_TRUE(take_tokens(b, rate, 1, t + 1000));
  EXPECT_FALSE(take_tokens(b, rate, 1, t + 1000));
  EXPECT_EQ(wait_for_tokens(b, rate, 2, t + 1000), 2000);
}

TEST(RateBucket, ANonDividingPeriodKeepsTheExactRate) {
  // 3 per 1000 ms: 333.33 ms apart; rounding each step would drift.
  EXPECT_EQ(starts_in({3, 1000}, 10'000), 3 + 29);  // the burst, then one per 333.3 ms
  EXPECT_EQ(starts_in({7, 1}, 100), 700);           // several per ms
}

TEST(RateBucket, AnIdleBucketRefillsOnlyToCount) {
  Rate rate{2, 1000};
  RateBucket b;
  EXPECT_TRUE(take_tokens(b, rate, 2, 0));
  // An hour idle gives back 2, not 7,200.
  Millis later = 3'600'000;
  EXPECT_TRUE(take_tokens(b, rate, 2, later));
  EXPECT_FALSE(take_tokens(b, rate, 1, later));
}

TEST(RateBucket, MoreThanCountAtOnceNeverFits) {
  Rate rate{5, 86'400'000};
  RateBucket b;
  EXPECT_EQ(wait_for_tokens(b, rate, 6, 0), -1);
  EXPECT_FALSE(take_tokens(b, rate, 6, 0));
  EXPECT_EQ(wait_for_tokens(b, rate, 5, 0), 0);
  EXPECT_TRUE(take_tokens(b, rate, 5, 0));
  EXPECT_EQ(wait_for_tokens(b, rate, 1, 0), 86'400'000 / 5);
}

TEST(RateBucket, NoRateAlwaysAdmits) {
  RateBucket b;
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(take_tokens(b, Rate{}, 1, 0));
  EXPECT_EQ(b, RateBucket{});
}

TEST(Limits, CheckNamesTheField) {
  EXPECT_TRUE(check_limits({}).ok());
  EXPECT_TRUE(check_limits({5, {10, 1000}}).ok());
  EXPECT_EQ(check_limits({-1, {}}).field(), "max_running");
  EXPECT_EQ(check_limits({0, {10, 0}}).field(), "starts.period_ms");
  EXPECT_EQ(check_limits({0, {0, 10}}).field(), "starts.count");
  EXPECT_EQ(check_limits({0, {kMaxRateCount + 1, 1000}}).field(), "starts.count");
  EXPECT_EQ(check_limits({0, {1, kMaxRatePeriodMs + 1}}).field(), "starts.period_ms");
}

}  // namespace
}  // namespace jobq
