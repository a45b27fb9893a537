// The worker runtime's insides, shared by its files: worker.cpp (the public face and the threads'
// lifecycle), worker_slots.cpp (the slots: jobs run back to back from the jobs leased ahead),
// worker_outcomes.cpp (the senders: outcomes sent together, each call leasing the jobs that
// refill the worker; the leaser's long poll while nothing is being sent), worker_lease_renewal.cpp
// (leases renewed, progress, notices, the stop's grace) and worker_presence.cpp (beats: presence
// and the server's orders).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "jobq/worker.h"

namespace jobq {

using steady = std::chrono::steady_clock;

// A stale token or an unknown job: the server no longer lets this worker finish it.
inline bool lease_gone(const Error& e) {
  return e.code() == ErrorCode::conflict || e.code() == ErrorCode::not_found;
}

struct Worker::Impl {
  struct Active {
    std::shared_ptr<JobContext> context;
    std::string id;
    std::string token;
    steady::time_point started;  // leased: the server's timeouts run from its lease
    steady::time_point next_heartbeat;
    steady::time_point last_progress;
    // The outcome was given by the stop; the handler's is dropped. Set under the lock; read
    // without it by the slot as a hint.
    std::atomic<bool> handed_back{false};
    // Heartbeats and the outcome go out one at a time, so a progress report taken by the
    // heartbeat thread cannot land after the completion (and be refused).
    std::mutex send;
    bool finished = false;  // under `send`: no heartbeat after the outcome
  };
  // A job leased and not started yet; its lease is renewed while it waits.
  struct Ahead {
    Job job;
    steady::time_point leased;
    steady::time_point next_heartbeat;
  };
  // A finished job's outcome on its way to the source.
  struct Outcome {
    AckItem item;
    bool completes;  // a completion, else a failure
    int tries = 0;   // calls that found the source unavailable
  };

  // Senders, so calls out at once: with two, the server works on one group while the other's
  // answer comes back and the slots run its jobs.
  static constexpr int kSenders = 2;

  Impl(JobSource& s, WorkerOptions o);

  JobSource& source;
  WorkerOptions options;
  std::map<std::string, JobHandler> handlers;

  // Everything below is under `mutex`.
  mutable std::mutex mutex;
  std::condition_variable changed;  // state, target, threads ending
  WorkerState state = WorkerState::idle;
  int target = 1;
  std::vector<bool> slot_alive;
  int slots_alive = 0;
  int senders_alive = 0;
  bool leaser_alive = false;
  steady::time_point stop_deadline;
  std::map<std::string, std::shared_ptr<Active>> active;
  std::deque<Ahead> ahead;
  std::condition_variable work;         // a slot's: a job is ahead, or it should end
  std::deque<Outcome> outcomes;         // not sent yet
  int calls_out = 0;                    // the senders' calls out
  std::condition_variable sender_wake;  // outcomes to send, or the slots have ended
  std::condition_variable leaser_wake;  // room for jobs with nothing being sent, or a stop
  int asked = 0;                        // jobs asked for by the calls out
  WorkerCounters counters;
  std::vector<std::thread> threads;

  std::vector<std::string> types() const;
  // What the worker leases with (max_jobs set by the caller).
  LeaseRequest lease_request() const;
  // Under the lock: after a change of state or target, every waiting thread looks again.
  void wake_all();
  // Under the lock: starts the slots [0, target) that are not running.
  void spawn_slots();
  // Under the lock: how many more jobs to lease (the free slots and the prefetch, less what is
  // held or asked for), counted as asked for; 0 unless the worker is running.
  int ask_for_room();
  // Jobs a lease brought: ahead of the slots while the worker runs, else given back.
  void take_jobs(std::vector<Job> jobs, int was_asked);
  // Under the lock: an outcome was queued; a sender is woken if one is free.
  void outcome_queued();

  // worker_slots.cpp
  void slot(int index);
  // Runs the job's handler; its outcome, or none if it may not be sent (the lease was lost).
  std::optional<Outcome> run(Active& a);
  // A job whose handler was cut short: failed, retryable (an attempt counts).
  void hand_back(const std::string& id, const std::string& token, const std::string& why);
  // A job leased but never started: released (no attempt counted).
  void give_back(const Job& job);
  // A failed call to the source: counted, and told to on_error with what it was.
  void report(const Error& e, const std::string& what);

  // worker_outcomes.cpp: the senders' and the leaser's threads
  void send_outcomes();
  void lease_ahead();
  // One call with the group's outcomes and a lease of `wanted` jobs; a group refused as a whole
  // for what one outcome carries is sent again outcome by outcome.
  JobSource::Handoff send_group(const std::vector<Outcome>& group, int wanted);
  // The answers to a group: counted, or queued again (the source unavailable, a result refused).
  void settle(std::vector<Outcome>& group, std::vector<Status>& answers);

  // worker_lease_renewal.cpp: the heartbeat thread
  void renew_leases();
  void renew_ahead(steady::time_point now);
  void watch_time(Active& a, steady::time_point now);
  void beat_job(Active& a, steady::time_point now);

  // worker_presence.cpp: the beat thread
  void announce_presence();
  void obey(const WorkerOrders& orders, std::unique_lock<std::mutex>& lock);
  void stop(std::chrono::milliseconds grace);
};

}  // namespace jobq
