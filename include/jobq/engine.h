// The job engine: policies and time over any Store. Thread-safe. Every call but the *_async ones
// may block on the store's commit; the *_async ones never block and answer later.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "jobq/clock.h"
#include "jobq/error.h"
#include "jobq/events.h"
#include "jobq/job.h"
#include "jobq/limits.h"
#include "jobq/requests.h"
#include "jobq/schedule.h"
#include "jobq/stats.h"
#include "jobq/webhooks.h"

namespace jobq {

class Store;

struct EngineOptions {
  std::size_t max_payload_bytes = 1 << 20;  // 1 MiB of JSON text
  std::size_t max_batch = 1000;             // jobs in one submit_batch
  std::size_t max_lease_jobs = 1000;        // jobs in one lease
  int default_max_attempts = 3;
  Backoff default_backoff;
  std::int64_t max_lease_ms = 3'600'000;
  Retention retention;            // also the dead-letter list's caps
  // Submit quotas per user: a tier's Rate bounds the submits of each user_id (a token bucket per
  // user and tier). A job names its tier (JobSpec::tier) or falls in default_tier; a job with no
  // user_id, or in no tier, has no quota.
  std::map<std::string, Rate> tiers;
  std::string default_tier;
  // Users' running caps by tier: at most that many jobs of one user in the tier run at once (a
  // lease passes over the rest); a tier with no cap is not in it. Its tiers are in `tiers` too
  // (with a Rate of count 0 when they have no submit quota).
  std::map<std::string, std::int64_t> tier_max_running;
  WebhookOptions webhooks;  // off unless enabled
  std::uint64_t jitter_seed = 0;  // 0: seeded from std::random_device
};

struct TickReport {
  std::size_t promoted = 0;  // scheduled jobs now due
  std::size_t expired = 0;   // leases lost or hard timeouts, each a failed attempt
  std::size_t purged = 0;
  std::size_t scheduled = 0;  // jobs submitted by cron schedules
  // Schedules whose runs could not be made (a template the engine's limits now refuse); each
  // moved on without them, field schedules.NAME.FIELD. The rest of the tick still ran.
  std::vector<Error> schedule_errors;
  bool skipped = false;  // another node sharing the store runs the sweeps now
};

class Engine {
 public:
  Engine(Store& store, const Clock& clock, EventBus& bus, EngineOptions options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Producers.
  Result<SubmitOutcome> submit(const JobSpec& spec);
  // All-or-nothing: one invalid spec rejects the batch and writes nothing.
  Result<std::vector<SubmitOutcome>> submit_batch(const std::vector<JobSpec>& specs);
  Result<Job> get(const std::string& id);
  Result<JobPage> list(const JobFilter& filter, const ListOptions& options);
  Result<Job> cancel(const std::string& id);
  Result<Job> retry(const std::string& id);
  // Removes a finished job (completed, failed or cancelled); an active one is a conflict.
  Result<Job> remove(const std::string& id);
  Result<std::vector<Job>> retry_where(JobFilter filter);  // statuses default to failed
  Result<Job> update(const std::string& id, std::optional<int> priority,
                     std::optional<Millis> run_at);
  Result<Stats> stats();

  // A paused queue keeps its jobs and takes submits, but leases nothing until resumed. Durable.
  Status pause_queue(const std::string& queue);
  Status resume_queue(const std::string& queue);
  Result<std::vector<std::string>> paused_queues();

  // Limits per queue and per type (include/jobq/limits.h): leases pass over the jobs they hold
  // back. Durable; limits that are none() remove the setting. The scope's name is checked as a
  // queue's or a type's.
  Status set_limits(const LimitSetting& setting);
  Result<std::vector<LimitSetting>> limits();

  // Cron schedules (include/jobq/schedule.h; docs/engine.md "Schedules"). tick() fires them.
  // Creating one computes its first due time from now; a change of cron or timezone, or a resume,
  // computes it again from now, so that due times missed while paused are not misfires.
  Result<Schedule> create_schedule(const ScheduleSpec& spec);
  Result<Schedule> update_schedule(const std::string& name, const SchedulePatch& patch);
  Result<Schedule> delete_schedule(const std::string& name);
  Result<Schedule> get_schedule(const std::string& name);
  Result<std::vector<Schedule>> list_schedules();
  // Submits the schedule's job now, off its timetable (its next due time stays); paused or not.
  Result<SubmitOutcome> trigger_schedule(const std::string& name);

  // Workers. Every call after lease carries the lease token; a stale token gets a conflict.
  Result<std::vector<Job>> lease(const LeaseRequest& request);
  // Leases now if it can; otherwise the request waits and `done` is called the moment a matching
  // job is ready. `done` is called exactly once unless cancel_wait(handle) returns true.
  using LeaseCallback = std::function<void(Result<std::vector<Job>>)>;
  std::uint64_t lease_async(const LeaseRequest& request, LeaseCallback done);
  bool cancel_wait(std::uint64_t handle);
  // The rules every lease call applies, for a caller that must refuse a request before it writes
  // anything else (an /ack that carries a lease).
  Status validate_lease(const LeaseRequest& request) const;
  std::size_t waiting_leases() const;
  // A job became ready without a write of this engine's (another jobqd node on the same store):
  // the first waiting lease it matches leases. The one entry point for a store shared by several
  // nodes to report such writes; this engine's own writes need no report.
  void job_ready(const Job& job);
  // Blocking convenience over lease_async: waits up to wait_ms of real time.
  Result<std::vector<Job>> lease_wait(const LeaseRequest& request, std::int64_t wait_ms);
  Result<HeartbeatReply> heartbeat(const std::string& id, const std::string& token,
                                   const Progress& progress);
  Result<Job> complete(const std::string& id, const std::string& token, std::string result_json);
  // Many completions in one store commit; each answered on its own (stale tokens included).
  Result<std::vector<Result<Job>>> complete_many(std::vector<Completion> completions);
  // A non-retryable failure, or one with no attempts left, ends in the dead-letter list.
  Result<Job> fail(const std::string& id, const std::string& token, FailReport report);
  // Gives back a leased job its worker did not start (a stopping worker's prefetched jobs): it is
  // queued again at once and the attempt is not counted. One whose cancel was asked is cancelled.
  Result<Job> release(const std::string& id, const std::string& token);

  // The writes above without waiting: each `done` runs exactly once, after the store has
  // committed, on the store's writer thread (or at once on the caller's, for the memory store).
  // Calls that meet in the store's writer share a commit. Servers call these from their I/O
  // threads. A `done` must not call this engine's blocking methods (the writer would wait on
  // itself); it should answer and return.
  template <class T>
  using Done = std::function<void(Result<T>)>;
  void submit_async(const JobSpec& spec, Done<SubmitOutcome> done);
  void submit_batch_async(const std::vector<JobSpec>& specs, Done<std::vector<SubmitOutcome>> done);
  // Leases what is ready now (perhaps nothing), without waiting for more.
  void lease_now_async(const LeaseRequest& request, LeaseCallback done);
  void heartbeat_async(const std::string& id, const std::string& token, const Progress& progress,
                       Done<HeartbeatReply> done);
  void complete_many_async(std::vector<Completion> completions,
                           Done<std::vector<Result<Job>>> done);
  void fail_async(const std::string& id, const std::string& token, FailReport report,
                  Done<Job> done);
  void release_async(const std::string& id, const std::string& token, Done<Job> done);

  // Webhooks' outbox (include/jobq/webhooks.h). Each job that ends adds, in the same write, a
  // delivery to its callback_url and to each hook of options().webhooks that matches it. A sender
  // claims the due ones, sends each, and settles it with what the send came to: delivered ones
  // leave the outbox; failed ones are retried after the webhooks' backoff, or dead-lettered
  // when not retryable or out of attempts.
  Result<std::vector<Delivery>> claim_deliveries(std::size_t limit);
  Status settle_delivery(const Delivery& claimed, const DeliveryAttempt& attempt);
  // When the soonest pending delivery is due (it may be now or past); none if none is pending.
  Result<std::optional<Millis>> next_delivery_at();
  Result<DeliveryCounts> count_deliveries();
  Result<DeliveryPage> list_deliveries(const DeliveryFilter& filter);
  Result<Delivery> get_delivery(const std::string& id);
  // A dead delivery is sent again, with its attempts reset; a pending one is a conflict.
  Result<Delivery> retry_delivery(const std::string& id);
  Result<Delivery> remove_delivery(const std::string& id);

  // Time-driven work: promotes due scheduled jobs, expires lost leases and hard timeouts, purges
  // finished jobs past retention, trims the dead-letter list and drops dead webhook deliveries
  // past their retention. Called by a Sweeper or a test.
  Result<TickReport> tick();
  // Removes finished jobs with these statuses that finished before `before`.
  Result<std::size_t> purge(Millis before, std::vector<JobStatus> statuses);

  const EngineOptions& options() const;
  const Clock& clock() const;

 private:
  struct Impl;  // src/engine/engine_impl.h
  std::unique_ptr<Impl> impl_;
};

}  // namespace jobq
