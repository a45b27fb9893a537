// The worker runtime's insides, shared by its files: worker.cpp (the public face and the slots'
// lifecycle), worker_slots.cpp (leasing and running jobs; outcome_line.h sends the slots'
// outcomes together), worker_lease_renewal.cpp (leases renewed, progress, notices, the
// stop's grace) and worker_presence.cpp (beats: presence and the server's orders).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "client/outcome_line.h"
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
    steady::time_point started;
    steady::time_point next_heartbeat;
    steady::time_point last_progress;
    bool handed_back = false;  // the outcome was given by the stop; the handler's is dropped
    // Heartbeats and the outcome go out one at a time, so a progress report taken by the
    // heartbeat thread cannot land after the completion (and be refused).
    std::mutex send;
    bool finished = false;  // under `send`: no heartbeat after the outcome
  };

  Impl(JobSource& s, WorkerOptions o);

  JobSource& source;
  WorkerOptions options;
  std::map<std::string, JobHandler> handlers;

  mutable std::mutex mutex;
  std::condition_variable changed;
  WorkerState state = WorkerState::idle;
  int target = 1;
  std::vector<bool> slot_alive;
  int slots_alive = 0;
  steady::time_point stop_deadline;
  std::map<std::string, std::shared_ptr<Active>> active;
  WorkerCounters counters;
  std::vector<std::thread> threads;

  std::vector<std::string> types() const;
  // What a slot leases with (max_jobs 1).
  LeaseRequest lease_request() const;
  // Under the lock: starts the slots [0, target) that are not running.
  void spawn_slots();

  // worker_slots.cpp
  void slot(int index);
  // Runs the job and sends its outcome; with `lease_next`, the same call leases the slot's next
  // job, which is returned.
  std::vector<Job> run(Job job, bool lease_next);
  // A job whose handler was cut short: failed, retryable (an attempt counts).
  void hand_back(const std::string& id, const std::string& token, const std::string& why);
  // A job leased but never started: released (no attempt counted).
  void give_back(const Job& job);
  // A failed call to the source: counted, and told to on_error with what it was.
  void report(const Error& e, const std::string& what);
  // Sends a job's outcome, again while the source is unavailable (a server restarting).
  Status send_outcome(const std::string& what, const std::function<Status()>& call);

  OutcomeLine outcome_line;

  // worker_lease_renewal.cpp: the heartbeat thread
  void renew_leases();
  void watch_time(Active& a, steady::time_point now);
  void beat_job(Active& a, steady::time_point now);

  // worker_presence.cpp: the beat thread
  void announce_presence();
  void obey(const WorkerOrders& orders, std::unique_lock<std::mutex>& lock);
  void stop(std::chrono::milliseconds grace);
};

}  // namespace jobq
