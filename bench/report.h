// What the benchmarks share besides the table itself: deadlines, number formatting, percentiles,
// and one result row with its target (judged only in full mode).
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "table.h"

namespace bench {

using Steady = std::chrono::steady_clock;
using i64 = long long;  // counts

// The benchmarks' store directories are /tmp/jobq-bench-XXXXXX (a jobq::testing::TempDir).
inline constexpr const char* kDirPrefix = "jobq-bench";

struct Deadline {
  Steady::time_point end;
  explicit Deadline(Steady::duration d) : end(Steady::now() + d) {}
  bool passed() const { return Steady::now() >= end; }
};

inline double seconds_since(Steady::time_point start) {
  return std::chrono::duration<double>(Steady::now() - start).count();
}

// 1234567 -> "1,234,567"
inline std::string group(i64 n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

inline std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

inline double percentile(std::vector<double> v, double q) {  // nearest rank
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  std::size_t rank = std::size_t(std::ceil(q * double(v.size())));
  return v[std::clamp<std::size_t>(rank, 1, v.size()) - 1];
}

inline std::string cut_note(i64 done, i64 asked) {
  return done < asked ? "stopped by its time limit after " + group(done) + " of " + group(asked)
                      : "";
}

// Notes joined with "; ", skipping empty ones.
inline std::string join(std::string a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return a + "; " + b;
}

struct Row {
  std::string measurement, store, result;
  i64 n = 0;
  double seconds = 0;
  std::string target;  // empty: no target for this row
  std::optional<bool> met;
  std::string notes;
};

class Report {
 public:
  explicit Report(bool judge)
      : judge_(judge),
        table_({"measurement", "store", "result", "n", "seconds", "target", "notes"}) {}
  void add(const Row& r) {
    std::string target = r.target;
    if (!target.empty() && r.met)
      target +=
          judge_ ? (*r.met ? " — **met**" : " — **MISSED**") : " — (not judged in smoke mode)";
    table_.add(
        {r.measurement, r.store, r.result, group(r.n), fixed(r.seconds, 2), target, r.notes});
  }

 private:
  bool judge_;
  Table table_;
};

}  // namespace bench
