#include "core/rate_bucket.h"

namespace jobq {

namespace {

// How far the bucket is from full at `now`, in count-ths of a ms.
std::int64_t deficit(const RateBucket& b, const Rate& r, Millis now) {
  if (b.at < now || (b.at == now && b.rem == 0)) return 0;
  return (b.at - now) * r.count + b.rem;
}

}  // namespace

bool take_tokens(RateBucket& b, const Rate& r, std::int64_t n, Millis now) {
  if (r.count == 0) return true;
  std::int64_t after = deficit(b, r, now) + n * r.period_ms;
  if (after > r.period_ms * r.count) return false;
  b.at = now + after / r.count;
  b.rem = after % r.count;
  return true;
}

Millis wait_for_tokens(const RateBucket& b, const Rate& r, std::int64_t n, Millis now) {
  if (r.count == 0) return 0;
  if (n > r.count) return -1;
  std::int64_t over = deficit(b, r, now) + n * r.period_ms - r.period_ms * r.count;
  return over <= 0 ? 0 : (over + r.count - 1) / r.count;
}

Millis take_or_wait(RateBucket& b, const Rate& r, std::int64_t n, Millis now) {
  return take_tokens(b, r, n, now) ? 0 : wait_for_tokens(b, r, n, now);
}

}  // namespace jobq
