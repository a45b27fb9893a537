// What callers hand to the engine: submits, leases, progress, filters.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "jobq/job.h"

namespace jobq {

// A job as a producer submits it. Unset fields take the engine's defaults.
struct JobSpec {
  std::string type;
  std::string queue = "default";
  int priority = 50;
  std::string payload = "null";  // JSON text
  // Set by a decoder that wrote `payload` itself from JSON it had just parsed (jobqd's HTTP edge),
  // so that the engine does not parse it a second time. Left false, the engine checks it.
  bool payload_is_checked_json = false;
  std::optional<int> max_attempts;
  std::optional<Backoff> backoff;
  std::int64_t timeout_ms = 0;
  std::int64_t soft_timeout_ms = 0;
  std::optional<std::int64_t> delay_ms;  // at most one of delay_ms and run_at
  std::optional<Millis> run_at;
  std::string user_id;
  // The user's quota tier (EngineOptions::tiers), kept in the job (Job::tier), where it picks the
  // running cap too; empty: the default tier.
  std::string tier;
  std::vector<std::string> tags;
  std::string idempotency_key;
  std::vector<std::string> depends_on;
  std::string callback_url;
  std::int64_t result_ttl_ms = 0;  // 0: the queue's (or server's) retention of completed jobs
};

// What a submit gives back for each job.
struct SubmitOutcome {
  Job job;
  bool created = true;  // false: an idempotency-key hit returned the live job
};

struct LeaseRequest {
  std::string worker_id;
  std::vector<std::string> queues = {"default"};
  std::vector<std::string> types;  // empty: any type
  int max_jobs = 1;
  std::int64_t lease_ms = 30'000;
};

struct Progress {
  std::optional<double> progress;  // 0..100
  std::optional<std::string> message;
  std::optional<std::string> stage;
  std::optional<std::int64_t> processed_items;
  std::optional<std::int64_t> total_items;
};

// A worker's report that the attempt it holds succeeded.
struct Completion {
  std::string id;
  std::string lease_token;
  std::string result_json;  // JSON text; empty means null
};

// A worker's report that the attempt it holds failed.
struct FailReport {
  std::string message;  // required
  std::string traceback;
  bool retryable = true;  // false: straight to the dead-letter list
  // With retryable: the next attempt runs this long from now instead of after the backoff.
  std::optional<std::int64_t> retry_in_ms;
  // With retryable: false gives the attempt back, so that it does not count toward
  // max_attempts (the error is still recorded).
  bool count_attempt = true;
};

// A worker's outcome in a batch (one entry of POST /ack): a completion (`error` empty) or a
// failure.
struct AckItem {
  std::string id;
  std::string lease_token;
  std::string result_json = "null";  // completions
  std::string error;                 // failures: the message
  std::string traceback;
  bool retryable = true;
};

struct HeartbeatReply {
  bool cancel_requested = false;
  bool soft_timeout_passed = false;
  Millis lease_expires_at = 0;
};

// All set fields must match; an empty field matches anything.
struct JobFilter {
  std::vector<JobStatus> statuses;
  std::string queue;
  std::string type;
  std::string user_id;
  std::string tag;
  std::optional<Millis> created_after;   // inclusive
  std::optional<Millis> created_before;  // exclusive
};

enum class SortField { created_at, priority, updated_at };

struct ListOptions {
  SortField sort = SortField::created_at;
  bool descending = true;
  int limit = 50;      // 1..1000
  std::string cursor;  // from the previous page's next_cursor
};

struct JobPage {
  std::vector<Job> jobs;
  std::string next_cursor;  // empty on the last page
};

}  // namespace jobq
