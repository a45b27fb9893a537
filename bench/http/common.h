// What every part of http_bench shares: the namespaces, the job it submits, its connection counts
// and time limits, the stores, fatal errors, and a row's failed calls.
#pragma once

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "report.h"
#include "support/temp_dir.h"

namespace bench {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

template <class T = void>
using task = asio::awaitable<T>;
inline constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

inline const std::string kPayload = R"({"n":1})";
inline const std::string kJob = R"({"type":"bench","payload":{"n":1}})";

// The machine this was tuned on has 2 cores, shared with jobqd.
inline constexpr int kClientThreads = 2;
inline constexpr int kSubmitConns = 16;  // single submits
inline constexpr int kBatchConns = 4;    // batch submits
inline constexpr int kBatch = 100;
inline constexpr int kSingleProducers = 8, kSingleWorkers = 8;    // lifecycles, one call per step
inline constexpr int kBatchedProducers = 4, kBatchedWorkers = 4;  // lifecycles, batched
inline constexpr auto kCallTimeout = 10s;  // any one request, beyond its own wait_ms
// A row's client is stopped by force at its limit plus this.
inline constexpr auto kHardGrace = 25s;

// ---- the stores ---------------------------------------------------------------------------------

struct StoreKind {
  std::string label;
  bool sqlite;
  std::string sync;    // "full" or "normal", for sqlite
  bool redis = false;  // a redis-server of the row's own, AOF with appendfsync always
};

inline const StoreKind kMemory{"memory", false, ""};
inline const StoreKind kSqliteFull{"sqlite sync=full", true, "full"};
inline const StoreKind kSqliteNormal{"sqlite sync=normal", true, "normal"};
inline const StoreKind kRedis{"redis appendfsync=always", false, "", true};

// ---- fatal errors -------------------------------------------------------------------------------

// The row's running servers (jobqd nodes, redis-server), killed by die(): pids, 0 in a free slot.
inline std::array<std::atomic<pid_t>, 8> g_children{};

inline void note_child(pid_t pid) {
  for (auto& slot : g_children)
    if (pid_t free = 0; slot.compare_exchange_strong(free, pid)) return;
}

// Before its pid is reaped, so that die() kills no pid the system may reuse.
inline void forget_child(pid_t pid) {
  for (auto& slot : g_children)
    if (pid_t mine = pid; pid > 0) slot.compare_exchange_strong(mine, 0);
}

[[noreturn]] inline void die(const std::string& what) {
  std::fflush(stdout);
  std::fprintf(stderr, "http_bench: %s\n", what.c_str());
  for (auto& slot : g_children)
    if (pid_t pid = slot.exchange(0); pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  jobq::testing::TempDir::remove_all_live();
  std::_Exit(1);
}

inline std::string clip(std::string s, std::size_t n = 160) {
  for (char& c : s)
    if (c == '\n' || c == '\r' || c == '|') c = ' ';  // notes live in a markdown table cell
  if (s.size() > n) s = s.substr(0, n) + "…";
  return s;
}

inline double client_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Why a row did less than it was asked: its time limit, or (with failed calls) not.
inline std::string shortfall(i64 done, i64 asked, const Deadline& deadline) {
  if (done >= asked) return "";
  if (deadline.passed()) return cut_note(done, asked);
  return "only " + group(done) + " of " + group(asked) + " done";
}

// ---- the failures of a row ----------------------------------------------------------------------

class Problems {
 public:
  // Returns false once there were so many that the row should give up.
  bool add(const std::string& what) {
    i64 n = ++count_;
    if (n <= 5) std::fprintf(stderr, "http_bench: %s\n", what.c_str());
    if (n <= 3) {
      std::lock_guard lock(mutex_);
      first_.push_back(what);
    }
    return n <= kGiveUp;
  }
  bool gave_up() const { return count_.load() > kGiveUp; }
  i64 count() const { return count_.load(); }
  std::string note() const {
    i64 n = count_.load();
    if (n == 0) return "";
    std::lock_guard lock(mutex_);
    std::string out = group(n) + (n == 1 ? " failed call" : " failed calls");
    if (n > kGiveUp) out += " (the row gave up)";
    out += ", first: ";
    for (std::size_t i = 0; i < first_.size(); ++i) out += (i ? " / " : "") + clip(first_[i], 200);
    return out;
  }

 private:
  static constexpr i64 kGiveUp = 1000;
  std::atomic<i64> count_{0};
  mutable std::mutex mutex_;
  std::vector<std::string> first_;
};
}  // namespace bench
