#include "core/backoff.h"

#include <gtest/gtest.h>

namespace jobq {
namespace {

TEST(Backoff, GrowsExponentiallyUpToTheCap) {
  Backoff b{1000, 2.0, 5000, false};
  EXPECT_EQ(backoff_delay_ms(b, 1, 0), 1000);
  EXPECT_EQ(backoff_delay_ms(b, 2, 0), 2000);
  EXPECT_EQ(backoff_delay_ms(b, 3, 0), 4000);
  EXPECT_EQ(backoff_delay_ms(b, 4, 0), 5000);
  EXPECT_EQ(backoff_delay_ms(b, 5000, 0), 5000);  // no overflow for huge attempt counts
}

TEST(Backoff, FullJitterDrawsFromZeroToTheCap) {
  Backoff b{1000, 2.0, 60'000, true};
  std::uint64_t state = 7;
  std::int64_t lowest = 1 << 30, highest = 0;
  for (int i = 0; i < 2000; ++i) {
    std::int64_t d = backoff_delay_ms(b, 3, next_random(state));
    ASSERT_GE(d, 0);
    ASSERT_LE(d, 4000);
    lowest = std::min(lowest, d);
    highest = std::max(highest, d);
  }
  EXPECT_LT(lowest, 400);  // spread over the whole range, not bunched at the cap
  EXPECT_GT(highest, 3600);
}

TEST(Backoff, AFractionDrawsEitherSideOfTheDelay) {
  Backoff b{1000, 2.0, 60'000, 0.1};
  std::uint64_t state = 7;
  std::int64_t lowest = 1 << 30, highest = 0;
  for (int i = 0; i < 2000; ++i) {
    std::int64_t d = backoff_delay_ms(b, 3, next_random(state));
    ASSERT_GE(d, 3600);
    ASSERT_LE(d, 4400);
    lowest = std::min(lowest, d);
    highest = std::max(highest, d);
  }
  EXPECT_LT(lowest, 3640);  // the whole band, both sides of 4,000
  EXPECT_GT(highest, 4360);
  // Never past max_ms, though the band would reach it.
  Backoff capped{1000, 2.0, 4100, 0.5};
  for (int i = 0; i < 200; ++i) ASSERT_LE(backoff_delay_ms(capped, 3, next_random(state)), 4100);
}

TEST(Backoff, ProblemsNameTheField) {
  EXPECT_EQ(backoff_problem({1000, 2.0, 60'000, true}), nullptr);
  EXPECT_NE(backoff_problem({-1, 2.0, 60'000, true}), nullptr);
  EXPECT_NE(backoff_problem({1000, 0.5, 60'000, true}), nullptr);
  EXPECT_NE(backoff_problem({1000, 2.0, 10, true}), nullptr);
  EXPECT_NE(backoff_problem({1000, 2.0, 60'000, -0.1}), nullptr);
  EXPECT_NE(backoff_problem({1000, 2.0, 60'000, 1.5}), nullptr);
}

}  // namespace
}  // namespace jobq
