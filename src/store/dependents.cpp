#include "store/dependents.h"

#include <algorithm>

namespace jobq {

std::vector<Job> settle_dependents(const Job& finished, Millis now, const Retention& retention,
                                   DependentsAccess& access) {
  std::vector<Job> changed;
  if (!is_terminal(finished.status)) return changed;
  std::vector<Job> work{finished};
  while (!work.empty()) {
    Job dep = std::move(work.back());
    work.pop_back();
    bool completed = dep.status == JobStatus::completed;
    for (const auto& id : access.take_dependents(dep.id)) {
      auto job = access.load(id);
      if (!job || job->status != JobStatus::waiting) continue;
      Job after = *job;
      if (completed) {
        // A dependency that is gone was purged after completing: only finished jobs are purged,
        // and failed ones fail their dependents first.
        bool all_done = std::all_of(
            after.depends_on.begin(), after.depends_on.end(), [&](const std::string& d) {
              auto dj = d == dep.id ? std::optional<Job>(dep) : access.load(d);
              return !dj || dj->status == JobStatus::completed;
            });
        if (!all_done || !release(after, now).ok()) continue;
      } else {
        if (!fail_dependent(after, dep.id, now, retention).ok()) continue;
        work.push_back(after);
      }
      access.save(*job, after);
      changed.push_back(after);
    }
  }
  return changed;
}

}  // namespace jobq
