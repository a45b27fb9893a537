#include "core/ids.h"

#include <mutex>
#include <random>

namespace jobq {

namespace {

constexpr char kHex[] = "0123456789abcdef";

std::mt19937_64& thread_rng() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng;
}

}  // namespace

std::string new_job_id(Millis now) {
  static std::mutex mutex;
  static std::uint64_t last_ms = 0;
  static std::uint64_t counter = 0;
  std::uint64_t ms;
  std::uint64_t seq;
  {
    std::lock_guard lock(mutex);
    ms = std::max<std::uint64_t>(std::uint64_t(now), last_ms);
    if (ms == last_ms) {
      if (++counter > 0xfff) {  // counter exhausted: borrow the next millisecond
        ++ms;
        counter = 0;
      }
    } else {
      counter = thread_rng()() & 0x3ff;  // random start, headroom left for the same ms
    }
    last_ms = ms;
    seq = counter;
  }
  std::uint64_t rand_b = thread_rng()();
  unsigned char b[16];
  for (int i = 0; i < 6; ++i) b[i] = (ms >> (40 - 8 * i)) & 0xff;
  b[6] = 0x70 | ((seq >> 8) & 0x0f);
  b[7] = seq & 0xff;
  b[8] = 0x80 | ((rand_b >> 56) & 0x3f);
  for (int i = 9; i < 16; ++i) b[i] = (rand_b >> (8 * (15 - i))) & 0xff;

  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 0xf]);
  }
  return out;
}

std::string new_lease_token() {
  std::uint64_t a = thread_rng()(), b = thread_rng()();
  std::string out(32, '0');
  for (int i = 0; i < 16; ++i) {
    out[i] = kHex[(a >> (60 - 4 * i)) & 0xf];
    out[16 + i] = kHex[(b >> (60 - 4 * i)) & 0xf];
  }
  return out;
}

bool looks_like_job_id(std::string_view id) {
  if (id.size() != 36) return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    char c = id[i];
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace jobq
