#include "core/schedule_plan.h"

#include <algorithm>
#include <deque>

namespace jobq {

namespace {

// Up to `n` of the latest due times in [from, upto], oldest first. Walking from `from` could take
// millions of steps after a long downtime of a dense expression, so it looks back from `upto`
// over growing windows until one holds n due times or reaches `from`.
std::vector<Millis> latest_dues(const CronSchedule& cron, Millis from, Millis upto, std::size_t n) {
  constexpr Millis kWindows[] = {60'000LL,          3'600'000LL,        86'400'000LL,
                                 32 * 86'400'000LL, 367 * 86'400'000LL, 5 * 367 * 86'400'000LL};
  std::deque<Millis> kept;
  for (Millis window : kWindows) {
    Millis start = std::max(from - 1, upto - window);
    kept.clear();
    for (auto t = cron.next_after(start); t && *t <= upto; t = cron.next_after(*t)) {
      kept.push_back(*t);
      if (kept.size() > n) kept.pop_front();
    }
    if (kept.size() == n || start == from - 1) break;
  }
  return {kept.begin(), kept.end()};
}

}  // namespace

RunPlan plan_runs(const Schedule& s, const CronSchedule& cron, Millis now) {
  RunPlan plan;
  Millis missed_until = now - kMisfireGraceMs - 1;  // due times more than the grace old
  std::optional<Millis> on_time = s.next_run_at;
  if (s.next_run_at <= missed_until) {
    std::size_t keep = s.spec.misfire == Misfire::skip       ? 0
                       : s.spec.misfire == Misfire::run_once ? 1
                                                             : std::size_t(s.spec.misfire_limit);
    if (keep > 0) plan.runs = latest_dues(cron, s.next_run_at, missed_until, keep);
    on_time = cron.next_after(missed_until);
  }
  for (; on_time && *on_time <= now; on_time = cron.next_after(*on_time))
    plan.runs.push_back(*on_time);
  // misfire_limit bounds what run_all makes at once, on time or not: the latest ones.
  std::size_t limit = std::size_t(s.spec.misfire_limit);
  if (s.spec.misfire == Misfire::run_all && plan.runs.size() > limit)
    plan.runs.erase(plan.runs.begin(), plan.runs.end() - std::ptrdiff_t(limit));
  plan.next_run_at = cron.next_after(now).value_or(0);
  return plan;
}

}  // namespace jobq
