// The Store: durable job records, changed only inside writes (WriteGroup) and read outside them.
// A backend implements both classes below and is done when tests/store/ passes unchanged.
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "core/transitions.h"
#include "jobq/error.h"
#include "jobq/job.h"
#include "jobq/limits.h"
#include "jobq/requests.h"
#include "jobq/schedule.h"
#include "jobq/store.h"
#include "jobq/webhooks.h"
#include "store/event_channel.h"
#include "store/worker_book.h"

namespace jobq {

// Released by a completion, or failed by a failure, of a job they depended on.
struct Finished {
  Job job;
  std::vector<Job> dependents;  // changed as a consequence, in their new state
};

// Group counts and recent run times, from which the engine derives Stats.
struct StatusCount {
  std::string queue, type;
  JobStatus status;
  std::int64_t count;
};
struct RunSample {
  std::string type;
  std::int64_t run_ms;
  bool succeeded;
};
struct StoreStats {
  std::vector<StatusCount> counts;
  std::vector<RunSample> recent_runs;  // the most recent finished attempts, newest first, capped
};

// One run (or several, after a downtime) of a schedule, for WriteGroup::fire_schedule.
struct ScheduleFire {
  std::string name;
  Millis due = 0;          // the next_run_at the schedule must still have
  std::vector<Job> jobs;   // a job per run; none when the runs were skipped
  Millis next_run_at = 0;  // the schedule's next due time from now on; 0: none
  Millis last_run_at = 0;  // the due time of the latest run
  Millis now = 0;
};

// The operations that change jobs. They exist only inside a write: Store::write_async hands its
// work a WriteGroup, and what the work does through it commits, or rolls back, together with the
// other works the store gathers into the same commit (a group commit: one fsync for many callers).
// Each operation is one atomic step; the engine owns policy and time and passes outcomes, `now`
// and retention in. The operations that finish jobs set each finished job's expires_at (and that
// of the dependents it fails) from `retention`.
class WriteGroup {
 public:
  // All-or-nothing. Jobs arrive complete (id, status, timestamps) from the engine; the store
  // assigns seq, honours idempotency keys (a live job with the key is returned instead), and
  // decides waiting versus queued/scheduled from depends_on.
  virtual Result<std::vector<SubmitOutcome>> submit(std::vector<Job> jobs) = 0;

  // Leases up to max_jobs ready jobs, best priority first, then submit order, across the queues
  // and types asked for; each gets a fresh lease token. It passes over the jobs of a queue or a
  // type at one of its limits (as many running as its cap, no token left in its rate's bucket),
  // and each job it starts takes a token from the buckets of its queue's and its type's rates.
  virtual Result<std::vector<Job>> lease(const LeaseRequest& request, Millis now) = 0;

  virtual Result<Job> heartbeat(const std::string& id, const std::string& token,
                                const Progress& progress, Millis now) = 0;
  // Completes many running jobs in one step; each is fenced by its own token and answered on its
  // own. The outer error means none of them was written.
  virtual Result<std::vector<Result<Finished>>> complete_many(std::vector<Completion> completions,
                                                              Millis now,
                                                              const Retention& retention) = 0;
  virtual Result<Finished> fail(const std::string& id, const std::string& token,
                                const Failure& failure, Millis now, const Retention& retention) = 0;

  // waiting/scheduled/queued -> cancelled; running -> cancel_requested.
  virtual Result<Finished> cancel(const std::string& id, Millis now,
                                  const Retention& retention) = 0;
  // failed/cancelled -> queued with attempts reset: one job (an error if its state forbids it),
  // or every failed or cancelled job the filter matches.
  virtual Result<Job> retry(const std::string& id, Millis now) = 0;
  virtual Result<std::vector<Job>> retry_where(const JobFilter& filter, Millis now) = 0;
  virtual Result<Job> update(const std::string& id, std::optional<int> priority,
                             std::optional<Millis> run_at, Millis now) = 0;

  // Scheduled jobs with run_at <= now become queued (waiting ones stay waiting).
  virtual Result<std::vector<Job>> promote_due(Millis now, std::size_t limit) = 0;
  // Removes finished jobs with one of the terminal `statuses` that finished before `before`.
  virtual Result<std::vector<Job>> purge(Millis before, const std::vector<JobStatus>& statuses,
                                         std::size_t limit) = 0;
  // Removes one finished job; an active one is a conflict.
  virtual Result<Job> remove(const std::string& id) = 0;
  // Removes finished jobs whose retention has run out (0 < expires_at <= now), soonest first.
  virtual Result<std::vector<Job>> purge_expired(Millis now, std::size_t limit) = 0;
  // Drops the oldest failed jobs beyond `cap`, at most `limit` of them: those of `queue`, or of
  // every queue if it is empty.
  virtual Result<std::vector<Job>> trim_dead_letters(std::size_t cap, const std::string& queue,
                                                     std::size_t limit) = 0;

  // A paused queue keeps its jobs but leases none of them; durable.
  virtual Status set_queue_paused(const std::string& queue, bool paused) = 0;
  // The limits of a queue or a type (none(): it has none); durable. A rate that changes starts
  // from a full bucket; one that stays keeps its bucket.
  virtual Status set_limits(const LimitSetting& setting) = 0;

  // Takes n from the bucket of a user's submit quota (`key`: "TIER/USER"): 0 if taken;
  // else, taking nothing, how long until there is room (-1: never, n is above rate.count).
  // Durable; a tier whose rate changes keeps the bucket where it stands.
  virtual Result<Millis> take_quota(const std::string& key, const Rate& rate, std::int64_t n,
                                    Millis now) = 0;
  // Drops up to `limit` quota buckets that are full again before `now` (a full bucket reads as
  // none), so that they do not pile up, one per user who ever submitted; how many it dropped.
  virtual Result<std::size_t> purge_quotas(Millis now, std::size_t limit) = 0;

  // Webhooks' outbox (include/jobq/webhooks.h). The engine adds a job's deliveries in the write
  // that ends the job, so that they are durable together; `ended` are the jobs whose ends they
  // report (one may have none), which no longer owe webhooks (Store::owed_webhooks).
  virtual Status add_deliveries(std::vector<Delivery> deliveries,
                                const std::vector<std::string>& ended) = 0;
  // Up to `limit` pending deliveries due at `now` (next_at <= now), soonest first. Each gets a
  // fresh token, one more attempt and next_at = now + hold_ms: claimed again then if nobody
  // settled it (its sender died), never twice at once.
  virtual Result<std::vector<Delivery>> claim_deliveries(Millis now, Millis hold_ms,
                                                         std::size_t limit) = 0;
  // Ends the claim `token` of delivery `id`: removes it (next: none, it was delivered) or stores
  // `next` in its place (a retry later, or dead). A conflict if the claim is no longer current
  // (it ran out and was claimed again); not_found if it is gone.
  virtual Status settle_delivery(const std::string& id, const std::string& token,
                                 const std::optional<Delivery>& next) = 0;
  // dead -> pending, with attempts reset and due at `now`; a pending one is a conflict.
  virtual Result<Delivery> redeliver(const std::string& id, Millis now) = 0;
  virtual Result<Delivery> remove_delivery(const std::string& id) = 0;
  // Drops up to `limit` dead deliveries last updated before `before`; how many it dropped.
  virtual Result<std::size_t> purge_deliveries(Millis before, std::size_t limit) = 0;

  // The job as this write sees it, with what the group wrote before it.
  virtual Result<std::optional<Job>> current(const std::string& id) = 0;

  // Schedules, by name. insert: a conflict if the name is taken. update: replaces the record,
  // not_found if there is none, a conflict if its next_run_at is no longer `read_next_run_at`
  // (a run fired since it was read: on a store whose writes do not isolate, another node's).
  // remove: not_found likewise.
  virtual Status insert_schedule(const Schedule& schedule) = 0;
  virtual Status update_schedule(const Schedule& schedule, Millis read_next_run_at) = 0;
  virtual Result<Schedule> remove_schedule(const std::string& name) = 0;
  // The schedule as this write sees it.
  virtual Result<std::optional<Schedule>> current_schedule(const std::string& name) = 0;
  // All or nothing: if the schedule still has next_run_at == fire.due and is not paused (else a
  // conflict: another tick or node fired it first, or a pause came after it was read), submits
  // fire.jobs as submit() does and moves the schedule on: next_run_at, last_run_at, and last_job_id
  // (the last job's id, unchanged if there is none).
  virtual Result<std::vector<SubmitOutcome>> fire_schedule(ScheduleFire fire) = 0;

 protected:
  ~WriteGroup() = default;
};

class Store {
 public:
  virtual ~Store() = default;

  // Writes. Runs `work` as one step of the store's next write and `done` once that write has
  // ended (ok: durable). Concurrent callers share one commit. `work` and `done` may run at once
  // on the caller's thread (a store with nothing to wait for, or nothing else writing) or later on
  // the store's writer thread; neither may call write() or write_async() (the write would wait
  // for itself). A `work` that throws rolls back its whole write, and every `done` of it gets
  // the error (unavailable); the memory store, whose operations do not throw, has no rollback.
  using WriteWork = std::function<void(WriteGroup&)>;
  using WriteDone = std::function<void(const Status&)>;
  virtual void write_async(WriteWork work, WriteDone done) = 0;

  // A write of its own, waited for: what `work` returned once it is durable, or the write's error.
  template <class Work>
  auto write(Work work) -> std::invoke_result_t<Work&, WriteGroup&> {
    using R = std::invoke_result_t<Work&, WriteGroup&>;
    std::optional<R> out;
    std::promise<Status> written;
    auto ended = written.get_future();
    write_async([&](WriteGroup& group) { out.emplace(work(group)); },
                [&](const Status& s) { written.set_value(s); });
    Status s = ended.get();
    if (!s.ok()) return R(s);
    return std::move(*out);
  }

  // Reads, from any thread, outside any write.
  // Cheap: is there a ready job this request would get at `now` (within the limits)?
  virtual bool has_ready(const LeaseRequest& request, Millis now) = 0;
  // Users' running caps by tier: a lease passes over the ready jobs of a user (user_id, in the
  // job's tier) with that many jobs running, and takes the next ones it may. Settings of this
  // process, given once at start (Engine's constructor); a cap <= 0 is none.
  virtual void set_user_caps(const std::map<std::string, std::int64_t>& by_tier) = 0;
  // Running jobs whose lease has expired or whose hard timeout has passed.
  virtual Result<std::vector<Job>> overdue(Millis now, std::size_t limit) = 0;
  virtual Result<std::vector<std::string>> paused_queues() = 0;
  virtual Result<std::vector<LimitSetting>> limits() = 0;  // by scope, then name
  virtual Result<std::optional<Job>> get(const std::string& id) = 0;
  virtual Result<JobPage> list(const JobFilter& filter, const ListOptions& options) = 0;
  virtual Result<StoreStats> stats(std::size_t recent_runs) = 0;
  virtual Result<std::optional<Schedule>> get_schedule(const std::string& name) = 0;
  virtual Result<std::vector<Schedule>> list_schedules() = 0;  // by name
  // Unpaused schedules with 0 < next_run_at <= now, soonest first.
  virtual Result<std::vector<Schedule>> due_schedules(Millis now, std::size_t limit) = 0;

  virtual Result<std::optional<Delivery>> get_delivery(const std::string& id) = 0;
  virtual Result<DeliveryPage> list_deliveries(const DeliveryFilter& filter) = 0;  // newest first
  // The soonest next_at of a pending delivery (claimed ones too); none if there is none.
  virtual Result<std::optional<Millis>> next_delivery_at() = 0;
  virtual Result<DeliveryCounts> count_deliveries() = 0;

  // A store whose operations are steps of their own rather than one commit (redis: a script
  // each) marks a job that ends owing webhooks (it has a callback_url, or some process sharing
  // the store has hooks: note_webhooks) until add_deliveries names it, so that a process that
  // died between the end and its deliveries is made good by the sweep: these are the jobs that
  // ended at or before `before` and still owe, oldest first. A store that commits them together owes
  // none.
  virtual Result<std::vector<std::string>> owed_webhooks(Millis /*before*/, std::size_t /*limit*/) {
    return std::vector<std::string>{};
  }
  virtual void note_webhooks() {}  // this process has hooks for queues or types

  // A store that several processes share (redis) carries their events between them; one that a
  // single process owns has no channel.
  virtual EventChannel* shared_events() { return nullptr; }
  // The time-driven work (Engine::tick) runs on one of the processes sharing a store at a time:
  // true if it is this one's turn now. A store of one process: always.
  virtual Result<bool> claim_sweeps() { return true; }
  // The clock the processes sharing the store agree on (the Redis server's), or none: then each
  // uses its own.
  virtual const Clock* shared_clock() const { return nullptr; }
  // The workers' registry, kept by a store that several processes share so that each sees every
  // worker; none: each process keeps its own in memory.
  virtual WorkerBook* shared_workers() { return nullptr; }
};

}  // namespace jobq
