// The job record. Field names match the JSON and HTTP API names (see docs/api.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jobq/clock.h"

namespace jobq {

enum class JobStatus : std::uint8_t {
  waiting,    // on dependencies
  scheduled,  // run_at in the future (delay, ETA, retry backoff)
  queued,     // ready to lease
  running,    // leased by a worker
  completed,
  failed,  // no attempts left: the dead-letter list
  cancelled,
};
inline constexpr int kJobStatusCount = 7;

std::string_view to_string(JobStatus s);
std::optional<JobStatus> parse_status(std::string_view name);
bool is_terminal(JobStatus s);  // completed, failed, cancelled
bool is_active(JobStatus s);    // waiting, scheduled, queued, running

// Exponential backoff: delay n (n = 1 after the first failure) is
// d = min(max_ms, initial_ms * factor^(n-1)), then jittered: jitter 1 (full jitter, JSON true)
// draws it uniformly from [0, d]; a fraction f between 0 and 1 from [d(1-f), d(1+f)], capped at
// max_ms; 0 (JSON false) keeps d.
struct Backoff {
  std::int64_t initial_ms = 1000;
  double factor = 2.0;
  std::int64_t max_ms = 3'600'000;
  double jitter = 1.0;
  bool operator==(const Backoff&) const = default;
};

struct Job;

// A queue's own retention; each setting left unset is the server's.
struct QueueRetention {
  std::optional<std::int64_t> completed_ms, cancelled_ms, failed_ms;
  std::optional<std::size_t> dead_letter_cap;  // this queue's failed jobs; 0: no cap of its own
  bool operator==(const QueueRetention&) const = default;
};

// How long finished jobs are kept (their expires_at, set as they finish) before tick() purges
// them, and how many failed jobs the dead-letter list keeps; 0 keeps them until purged by hand
// (or, for the cap, keeps every one).
struct Retention {
  std::int64_t completed_ms = 24LL * 3600 * 1000;
  std::int64_t cancelled_ms = 7LL * 24 * 3600 * 1000;
  std::int64_t failed_ms = 7LL * 24 * 3600 * 1000;
  std::size_t dead_letter_cap = 1000;  // failed jobs, all queues together; the oldest go first
  std::map<std::string, QueueRetention> queues;

  // How long `job`, which has just finished in its current status, is kept: its own
  // result_ttl_ms when it completed, else its queue's setting, else the server's.
  std::int64_t keep_ms(const Job& job) const;
  bool operator==(const Retention&) const = default;
};

struct JobError {
  std::string message;
  std::string traceback;
  int attempt = 0;
  Millis at = 0;
  bool operator==(const JobError&) const = default;
};

struct Job {
  std::string id;  // UUIDv7
  std::string type;
  std::string queue = "default";
  int priority = 50;             // 0..100, higher first
  std::string payload = "null";  // JSON text, validated on submit
  JobStatus status = JobStatus::queued;

  std::string stage;
  double progress = 0;
  std::string progress_message;
  std::optional<std::int64_t> processed_items;
  std::optional<std::int64_t> total_items;

  int attempt = 0;  // attempts started so far
  int max_attempts = 3;
  Backoff backoff;
  std::int64_t timeout_ms = 0;       // hard limit of one attempt; 0 = none
  std::int64_t soft_timeout_ms = 0;  // warns the worker; 0 = none
  Millis run_at = 0;                 // not before this time; 0 = now

  std::string worker_id;
  std::string lease_token;  // only ever sent to the worker holding the lease
  std::int64_t lease_ms = 0;
  Millis lease_expires_at = 0;
  bool cancel_requested = false;

  std::string result;            // JSON text; empty until completed
  std::vector<JobError> errors;  // one per failed attempt; the last is the job's `error`

  std::string user_id;
  std::vector<std::string> tags;
  std::string idempotency_key;
  std::vector<std::string> depends_on;
  std::string callback_url;
  std::string tier;  // the user's quota tier, as the submit resolved it; "" with no user_id

  Millis created_at = 0;
  Millis updated_at = 0;
  Millis started_at = 0;
  Millis completed_at = 0;         // when it reached a terminal state
  Millis expires_at = 0;           // when purge may remove it; 0 = kept until purged
  std::int64_t result_ttl_ms = 0;  // kept this long once completed; 0 = its queue's retention

  std::int64_t seq = 0;  // submit order, assigned by the store

  const JobError* error() const { return errors.empty() ? nullptr : &errors.back(); }
  bool operator==(const Job&) const = default;
};

}  // namespace jobq
