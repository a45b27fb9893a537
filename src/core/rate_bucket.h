// A Rate's token bucket, kept as one time (the generic cell rate algorithm): the bucket is full
// at `at`, and each start pushes `at` on by period_ms / count. So that the step stays exact, the
// time is kept in ms plus `rem` count-ths of a ms. src/store/redis/lua/common.lua mirrors this.
#pragma once

#include <cstdint>

#include "jobq/limits.h"

namespace jobq {

struct RateBucket {
  Millis at = 0;
  std::int64_t rem = 0;  // 0 <= rem < rate.count
  bool operator==(const RateBucket&) const = default;
};

// Takes n tokens at `now` if the bucket holds them: true, and the bucket moved on; else false
// and the bucket unchanged. A rate with count 0 always has tokens.
bool take_tokens(RateBucket& bucket, const Rate& rate, std::int64_t n, Millis now);

// How long from `now` until the bucket holds n tokens: 0 if it does now; -1 if it never can
// (n > count).
Millis wait_for_tokens(const RateBucket& bucket, const Rate& rate, std::int64_t n, Millis now);

// take_tokens, or if it cannot, wait_for_tokens: 0 when taken.
Millis take_or_wait(RateBucket& bucket, const Rate& rate, std::int64_t n, Millis now);

}  // namespace jobq
