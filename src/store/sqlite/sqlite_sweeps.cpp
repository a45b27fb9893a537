// The sqlite store's time-driven writes and removals: promotion of due jobs, purges by age and by
// retention, the dead-letter cap, and removing one finished job.
#include <algorithm>

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

Result<std::vector<Job>> SqliteStore::purge_expired(Millis now, std::size_t limit) {
  auto expired = load_where(
      "INDEXED BY jobs_expiring WHERE expires_at > 0 AND expires_at <= ? ORDER BY expires_at "
      "LIMIT ?",
      now, std::int64_t(limit));
  for (const Job& job : expired) erase(job);
  return expired;
}

Result<std::vector<Job>> SqliteStore::trim_dead_letters(std::size_t cap, const std::string& queue,
                                                        std::size_t limit) {
  std::int64_t failed = dead_letters_;
  if (!queue.empty()) {
    sqlite::Statement& count =
        db_->cached("SELECT count(*) FROM jobs WHERE status = 'failed' AND queue = ?");
    count.bind(1, queue);
    failed = count.step() ? count.int64(0) : 0;
    count.reset();
  }
  if (failed <= std::int64_t(cap)) return std::vector<Job>{};
  std::int64_t over = std::min(failed - std::int64_t(cap), std::int64_t(limit));
  auto oldest =
      queue.empty()
          ? load_where("WHERE completed_at > 0 AND status = 'failed' ORDER BY completed_at LIMIT ?",
                       over)
          : load_where("WHERE status = 'failed' AND queue = ? ORDER BY completed_at LIMIT ?", queue,
                       over);
  for (const Job& job : oldest) erase(job);
  return oldest;
}

}  // namespace jobq
