#include "core/transitions.h"

#include <algorithm>

#include "core/ids.h"
#include "core/job_state.h"

namespace jobq {

namespace {

void clear_lease(Job& job) {
  job.worker_id.clear();
  job.lease_token.clear();
  job.lease_expires_at = 0;
  job.cancel_requested = false;
}

// After the job's status has become its terminal one, which decides how long it is kept.
void finish(Job& job, Millis now, const Retention& retention) {
  clear_lease(job);
  job.completed_at = now;
  std::int64_t keep_ms = retention.keep_ms(job);
  job.expires_at = keep_ms > 0 ? now + keep_ms : 0;
}

JobStatus ready_status(const Job& job, Millis now) {
  return job.run_at > now ? JobStatus::scheduled : JobStatus::queued;
}

}  // namespace

JobStatus initial_status(const Job& job, bool dependencies_pending, Millis now) {
  return dependencies_pending ? JobStatus::waiting : ready_status(job, now);
}

Error job_not_found(const std::string& id) {
  return Error::not_found("no job with id " + id);
}

Status check_lease(const Job& job, const std::string& token) {
  if (job.status != JobStatus::running || token.empty() || job.lease_token != token)
    return Error::conflict("stale lease token: job " + job.id + " is not leased under this token");
  return {};
}

Status start(Job& job, const std::string& worker_id, std::int64_t lease_ms, Millis now) {
  if (Status s = transition(job, JobStatus::running); !s.ok()) return s;
  job.attempt += 1;
  job.worker_id = worker_id;
  job.lease_token = new_lease_token();
  job.lease_ms = lease_ms;
  job.lease_expires_at = now + lease_ms;
  job.cancel_requested = false;
  job.started_at = now;
  job.updated_at = now;
  job.progress = 0;
  job.progress_message.clear();
  job.stage.clear();
  job.processed_items.reset();
  job.total_items.reset();
  return {};
}

void record_progress(Job& job, const Progress& p, Millis now) {
  if (p.message) job.progress_message = *p.message;
  if (p.stage) job.stage = *p.stage;
  if (p.processed_items) job.processed_items = p.processed_items;
  if (p.total_items) job.total_items = p.total_items;
  if (p.progress) {
    job.progress = *p.progress;
  } else if (job.processed_items && job.total_items && *job.total_items > 0) {
    job.progress =
        std::clamp(100.0 * double(*job.processed_items) / double(*job.total_items), 0.0, 100.0);
  }
  job.lease_expires_at = now + job.lease_ms;
  job.updated_at = now;
}

Status complete(Job& job, std::string result, Millis now, const Retention& retention) {
  if (Status s = transition(job, JobStatus::completed); !s.ok()) return s;
  job.result = std::move(result);
  job.progress = 100;
  job.updated_at = now;
  finish(job, now, retention);
  return {};
}

Status fail(Job& job, const Failure& failure, Millis now, const Retention& retention) {
  JobStatus to = JobStatus::failed;
  // A job asked to cancel is not retried: the worker gave it up, and that ends it.
  if (failure.then == Failure::Then::cancel ||
      (job.cancel_requested && job.status == JobStatus::running))
    to = JobStatus::cancelled;
  else if (failure.then == Failure::Then::retry) {
    to = failure.retry_at > now ? JobStatus::scheduled : JobStatus::queued;
  } else if (failure.then == Failure::Then::release) {
    to = JobStatus::queued;
  }
  if (Status s = transition(job, to); !s.ok()) return s;
  // A release records no error: the job never ran.
  if (failure.then != Failure::Then::release) job.errors.push_back(failure.error);
  job.updated_at = now;
  if (to == JobStatus::scheduled || to == JobStatus::queued) {
    if (!failure.count_attempt || failure.then == Failure::Then::release) job.attempt -= 1;
    clear_lease(job);
    job.run_at = failure.retry_at;
  } else {
    finish(job, now, retention);
  }
  return {};
}

Status cancel(Job& job, Millis now, const Retention& retention) {
  if (job.status == JobStatus::running) {
    job.cancel_requested = true;
    job.updated_at = now;
    return {};
  }
  if (Status s = transition(job, JobStatus::cancelled); !s.ok()) return s;
  job.updated_at = now;
  finish(job, now, retention);
  return {};
}

Status retry(Job& job, Millis now) {
  if (job.status != JobStatus::failed && job.status != JobStatus::cancelled)
    return Error::conflict("only failed or cancelled jobs can be retried; job " + job.id + " is " +
                           std::string(to_string(job.status)));
  if (Status s = transition(job, JobStatus::queued); !s.ok()) return s;
  job.attempt = 0;
  job.run_at = now;
  job.updated_at = now;
  job.completed_at = 0;
  job.expires_at = 0;
  job.result.clear();
  job.progress = 0;
  return {};
}

Status update(Job& job, std::optional<int> priority, std::optional<Millis> run_at, Millis now) {
  if (job.status != JobStatus::waiting && job.status != JobStatus::scheduled &&
      job.status != JobStatus::queued)
    return Error::conflict("job " + job.id + " is " + std::string(to_string(job.status)) +
                           "; only jobs not started yet can be changed");
  if (priority) job.priority = *priority;
  if (run_at) {
    job.run_at = *run_at;
    if (job.status != JobStatus::waiting) {
      JobStatus to = ready_status(job, now);
      if (to != job.status) {
        if (Status s = transition(job, to); !s.ok()) return s;
      }
    }
  }
  job.updated_at = now;
  return {};
}

Status promote(Job& job, Millis now) {
  if (Status s = transition(job, JobStatus::queued); !s.ok()) return s;
  job.updated_at = now;
  return {};
}

Status release(Job& job, Millis now) {
  if (Status s = transition(job, ready_status(job, now)); !s.ok()) return s;
  job.updated_at = now;
  return {};
}

Status fail_dependent(Job& job, const std::string& dep_id, Millis now, const Retention& retention) {
  if (Status s = transition(job, JobStatus::failed); !s.ok()) return s;
  job.errors.push_back({"dependency " + dep_id + " did not complete", "", job.attempt, now});
  job.updated_at = now;
  finish(job, now, retention);
  return {};
}

}  // namespace jobq
