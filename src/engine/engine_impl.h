// The engine's insides, shared by its files (engine.cpp, engine_submit.cpp, engine_lease.cpp,
// engine_finish.cpp, engine_queries.cpp, engine_sweep.cpp).
#pragma once

#include <condition_variable>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <type_traits>

#include "core/job_spec.h"
#include "engine/event_relay.h"
#include "engine/lease_waiters.h"
#include "jobq/engine.h"
#include "store/store.h"

namespace jobq {

// What a submit takes from its users' quotas: n from the bucket of one user in one tier.
struct QuotaTake {
  std::string tier, user_id;
  Rate rate;
  std::int64_t n = 0;
};

struct Engine::Impl {
  Impl(Engine& engine, Store& store, const Clock& clock, EventBus& bus, EngineOptions options);
  // Waits for the writes under way (each still calls back into the engine when it ends), then
  // answers every waiting lease with nothing. The engine's destructor calls it.
  void drain();

  // Events reach watchers without the lease token, which belongs to the worker alone.
  void publish(EventType type, Job job);
  void publish_all(EventType type, std::vector<Job>& jobs);
  // Publishes a finished job and what it did to its dependents; wakes waiters for released ones.
  // `type` overrides the event named by the job's new status.
  void publish_finished(const Job& job, std::vector<Job>& dependents,
                        std::optional<EventType> type = std::nullopt);
  void wake_waiters() { waiters->serve(); }

  // Every change goes through here. Runs `work`, which returns a Result, in a store write that
  // may share its commit with others; once the write has ended, `then` gets that Result, or the
  // write's own error when the commit failed (then nothing `work` did was kept).
  template <class Work, class Then>
  void write(Work work, Then then) {
    using R = std::invoke_result_t<Work&, WriteGroup&>;
    auto slot = std::make_shared<std::optional<R>>();
    write_counted([slot, work = std::move(work)](WriteGroup& g) mutable { slot->emplace(work(g)); },
                  [slot, then = std::move(then)](const Status& s) mutable {
                    then(s.ok() ? R(std::move(**slot)) : R(s));
                  });
  }

  SpecLimits limits() const;
  Result<Job> make_job(const JobSpec& spec, Millis now) const;
  // The job of one run of a schedule due at `due` (0: triggered by hand).
  Result<Job> make_run(const Schedule& schedule, Millis due, Millis now) const;
  // The jobs submitted; a schedule that cannot make its runs adds to `problems` and moves on.
  Result<std::size_t> fire_due_schedules(Millis now, std::vector<Error>& problems);
  Result<Schedule> update_schedule_once(const std::string& name, const SchedulePatch& patch);
  // The takes of these specs; an unknown tier is an error (about jobs[i].tier in a batch).
  Result<std::vector<QuotaTake>> quota_takes(const JobSpec* specs, std::size_t count) const;
  // Takes the quotas, then stores the jobs, in one write: none of them if a quota has no room.
  void submit_jobs(std::vector<Job> jobs, Done<std::vector<SubmitOutcome>> done,
                   std::vector<QuotaTake> quotas = {});
  Status check_result(std::string& result) const;
  // The delay after `failures` failed attempts, jittered from the engine's generator.
  std::int64_t backoff_delay(const Backoff& backoff, int failures);
  // One attempt of a running job ended badly: retry after backoff, or dead-letter it. A store
  // write; then attempt_ended() publishes the outcome.
  Result<Finished> end_attempt(WriteGroup& group, const Job& job, const std::string& token,
                               const FailReport& report, Millis now);
  Result<Job> attempt_ended(Result<Finished> done);
  Result<std::size_t> expire_overdue(Millis now);
  // Adds the webhook deliveries of a job that ended (and of its dependents that ended with it)
  // to the write that ended it; the finish itself when it failed or there is nothing to send.
  Result<Finished> add_webhooks(WriteGroup& group, Result<Finished> finished, Millis now);
  // The deliveries of the jobs that still owe webhooks a while after their end (a process died
  // between the end and its deliveries, on a store that does not commit them together).
  Result<std::size_t> repay_webhooks(Millis now);
  Result<std::size_t> trim_dead_letters();

  Store& store;
  const Clock& clock;
  EventBus& bus;
  EngineOptions options;
  std::unique_ptr<LeaseWaiters> waiters;
  // The queues and types with limits, as last seen (another node may set one): a job of one of
  // them (or of a user with a running cap) that stops running, and each tick (a bucket refills),
  // may let a waiting lease have a job.
  void note_limits(const std::vector<LimitSetting>& all);
  bool is_limited(const Job& job) const;
  bool any_limits() const;
  std::unique_ptr<EventRelay> relay;  // with a store that several nodes share

 private:
  // store.write_async, counted, so that drain() can wait for writes under way.
  void write_counted(Store::WriteWork work, Store::WriteDone done);

  mutable std::mutex limits_mutex_;
  std::set<std::pair<LimitScope, std::string>> limited_;
  std::mutex writes_mutex_;
  std::condition_variable writes_done_;
  int writes_ = 0;
  std::mutex rng_mutex_;
  std::uint64_t rng_state_;
};

// Whether `text` is one JSON value (empty counts as null); the error names `field`.
Status check_json(const std::string& text, const char* field);

// The blocking form of an async call: starts it and waits for its answer.
template <class T, class Start>
Result<T> wait_for(Start&& start) {
  std::promise<Result<T>> answer;
  auto future = answer.get_future();
  start([&answer](Result<T> r) { answer.set_value(std::move(r)); });
  return future.get();
}

}  // namespace jobq
