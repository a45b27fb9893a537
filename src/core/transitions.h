// How a job record changes at each step of its life. Pure functions over Job: every store applies
// exactly these, so all backends agree. Each status change goes through the state table.
#pragma once

#include <string>

#include "jobq/error.h"
#include "jobq/job.h"
#include "jobq/requests.h"

namespace jobq {

// What becomes of a running job whose attempt failed; decided by the engine.
struct Failure {
  JobError error;
  // release: the worker gives the job back unstarted; it is queued again and the attempt it was
  // leased for is not counted, nor is an error recorded.
  enum class Then { retry, dead, cancel, release } then = Then::retry;
  Millis retry_at = 0;  // with Then::retry; <= now means queued at once
  // With Then::retry: false gives back the attempt it was leased for (a release always does).
  bool count_attempt = true;
};

// The status a new job starts in.
JobStatus initial_status(const Job& job, bool dependencies_pending, Millis now);

// The not_found every store and the engine answer for an id they do not have.
Error job_not_found(const std::string& id);

// Conflict unless the job is running under this token.
Status check_lease(const Job& job, const std::string& token);

// queued -> running with a fresh token; counts an attempt.
Status start(Job& job, const std::string& worker_id, std::int64_t lease_ms, Millis now);
// Records progress and renews the lease. The caller checked the token.
void record_progress(Job& job, const Progress& progress, Millis now);
Status complete(Job& job, std::string result, Millis now, const Retention& retention);
Status fail(Job& job, const Failure& failure, Millis now, const Retention& retention);
// waiting/scheduled/queued -> cancelled; running -> cancel_requested (status unchanged).
Status cancel(Job& job, Millis now, const Retention& retention);
// failed/cancelled -> queued, attempts reset; the error history stays.
Status retry(Job& job, Millis now);
// Priority and run_at of a job that has not started yet.
Status update(Job& job, std::optional<int> priority, std::optional<Millis> run_at, Millis now);
// scheduled -> queued.
Status promote(Job& job, Millis now);
// waiting -> queued or scheduled, once every dependency completed.
Status release(Job& job, Millis now);
// waiting -> failed, because dependency `dep_id` failed or was cancelled.
Status fail_dependent(Job& job, const std::string& dep_id, Millis now, const Retention& retention);

}  // namespace jobq
