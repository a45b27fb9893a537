#include "store/redis/clock.h"

#include <charconv>

namespace jobq::redis {

namespace {

constexpr auto kSyncEvery = std::chrono::seconds(1);

std::int64_t number(const redisReply& r) {
  std::int64_t n = 0;
  auto s = text(r);
  std::from_chars(s.data(), s.data() + s.size(), n);
  return n;
}

}  // namespace

RedisClock::RedisClock(Address address, const Clock& local)
    : local_(local), connection_(std::move(address)) {
  sync();
  thread_ = std::thread([this] { loop(); });
}

RedisClock::~RedisClock() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

// Redis' time is taken to be that of the middle of the round trip.
void RedisClock::sync() {
  Millis before = local_.now();
  auto r = connection_.call({"TIME"});
  Millis after = local_.now();
  if (!r || (*r)->type != REDIS_REPLY_ARRAY || (*r)->elements != 2) return;  // keep the last
  Millis redis_ms = number(at(**r, 0)) * 1000 + number(at(**r, 1)) / 1000;
  offset_ = redis_ms - (before + after) / 2;
}

void RedisClock::loop() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, kSyncEvery, [this] { return stopping_; })) {
    lock.unlock();
    sync();
    lock.lock();
  }
}

Millis RedisClock::now() const {
  Millis t = local_.now() + offset_;
  Millis seen = last_.load();
  while (t > seen && !last_.compare_exchange_weak(seen, t)) {
  }
  return std::max(t, seen);
}

}  // namespace jobq::redis
