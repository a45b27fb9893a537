// The sqlite store's time-driven writes and removals: promotion of due jobs, purges by age and by
// retention, the dead-letter cap, and removing one finished job.
#include "store/sqlite/sqlite_store.h"

namespace jobq {

Result<std::vector<Job>> SqliteStore::promote_due(Millis now, std::size_t limit) {
  auto due = load_where("WHERE status = 'scheduled' AND run_at <= ? ORDER BY run_at LIMIT ?", now,
                        std::int64_t(limit));
  for (Job& job : due) {
    Job before = job;
    if (Status s = promote(job, now); !s.ok()) return s;
    save(before, job);
  }
  return due;
}

Result<std::vector<Job>> SqliteStore::purge(Millis before, const std::vector<JobStatus>& statuses,
                                            std::size_t limit) {
  std::string in;
  for (JobStatus s : statuses)
    in += std::string(in.empty() ? "'" : ", '") + std::string(to_string(s)) + "'";
  if (in.empty()) return std::vector<Job>{};
  auto old = load_where("WHERE completed_at > 0 AND completed_at < ? AND status IN (" + in +
                            ") ORDER BY completed_at LIMIT ?",
                        before, std::int64_t(limit));
  for (const Job& job : old) erase(job);
  return old;
}

Result<Job> SqliteStore::remove(const std::string& id) {
  auto job = load(id);
  if (!job) return job_not_found(id);
  if (!is_terminal(job->status))
    return Error::conflict("job " + id + " is " + std::string(to_string(job->status)) +
                           "; cancel it first");
  erase(*job);
  return std::move(*job);
}

// expires_at is completed_at plus the retention of the job's status, so the completed_at index
// serves this too.
Result<std::vector<Job>> SqliteStore::purge_expired(Millis now, const Retention& r,
                                                    std::size_t limit) {
  std::vector<Job> out;
  for (auto [status, keep_ms] : {std::pair{JobStatus::completed, r.completed_ms},
                                 {JobStatus::cancelled, r.cancelled_ms},
                                 {JobStatus::failed, r.failed_ms}}) {
    if (keep_ms <= 0 || out.size() >= limit) continue;
    // INDEXED BY: left alone, the planner takes jobs_status and sorts every finished job.
    auto expired = load_where(
        "INDEXED BY jobs_finished WHERE completed_at > 0 AND completed_at <= ? AND status = ? "
        "ORDER BY completed_at LIMIT ?",
        now - keep_ms, std::string(to_string(status)), std::int64_t(limit - out.size()));
    for (Job& job : expired) {
      erase(job);
      out.push_back(std::move(job));
    }
  }
  return out;
}

Result<std::vector<Job>> SqliteStore::trim_dead_letters(std::size_t cap) {
  std::int64_t failed = dead_letters_;
  if (failed <= std::int64_t(cap)) return std::vector<Job>{};
  auto oldest =
      load_where("WHERE completed_at > 0 AND status = 'failed' ORDER BY completed_at LIMIT ?",
                 failed - std::int64_t(cap));
  for (const Job& job : oldest) erase(job);
  return oldest;
}

}  // namespace jobq
