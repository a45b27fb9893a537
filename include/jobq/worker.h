// The worker runtime: handlers per job type, run in N concurrent slots, on any JobSource.
//
//   jobq::Client client;                       // JOBQ_URL, JOBQ_API_KEY
//   auto source = jobq::remote_job_source(client);
//   jobq::Worker worker(*source, {.concurrency = 4});
//   worker.handle("resize", [](jobq::JobContext& job) {
//     job.progress(50, "halfway");
//     if (job.cancelled()) throw std::runtime_error("given up");
//     return std::string(R"({"ok":true})");
//   });
//   jobq::StopOnSignals signals(worker);       // SIGTERM/SIGINT: stop with the grace period
//   worker.run();
//
// Heartbeats and progress go out from the worker's own thread, never the handler's, so a busy
// handler keeps its lease.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "jobq/job.h"
#include "jobq/job_source.h"
#include "jobq/requests.h"

namespace jobq {

// Why a job's handler is asked to stop.
enum class StopReason {
  none,
  cancel_requested,  // someone cancelled the job; the job ends `cancelled` whatever comes next
  timed_out,         // the job's timeout_ms has passed; the server fails this attempt
  lease_lost,        // the server no longer lets this worker finish the job (409 or 404)
  worker_stopping,   // the worker's grace period ran out; the job was handed back for retry
};
const char* to_string(StopReason reason);

// Throw from a handler to fail the job with control over the retry; any other exception fails it
// (retryable) with its what() as the message.
class JobFailure : public std::runtime_error {
 public:
  explicit JobFailure(const std::string& message, bool retryable = true, std::string traceback = {})
      : std::runtime_error(message), retryable_(retryable), traceback_(std::move(traceback)) {}
  bool retryable() const { return retryable_; }
  const std::string& traceback() const { return traceback_; }

 private:
  bool retryable_;
  std::string traceback_;
};

// What a handler sees of its job. Its methods are thread-safe: a handler may hand the context to
// threads of its own (the CLI's exec worker reads a child's output on one and waits on another).
class JobContext {
 public:
  JobContext(Job job, std::chrono::steady_clock::time_point started);
  JobContext(const JobContext&) = delete;
  JobContext& operator=(const JobContext&) = delete;

  const Job& job() const { return job_; }
  const std::string& id() const { return job_.id; }
  const std::string& type() const { return job_.type; }
  const std::string& payload() const { return job_.payload; }  // JSON text
  int attempt() const { return job_.attempt; }
  const std::string& worker_id() const { return job_.worker_id; }
  // started + timeout_ms, if the job has a timeout.
  std::optional<std::chrono::steady_clock::time_point> deadline() const;

  // Progress goes out with the next heartbeat, at most once per the worker's progress_interval;
  // the newest report always goes out (before the job completes, at the latest). Unset fields
  // keep their last value.
  void progress(double percent, std::string message = {});
  void stage(std::string name);
  void items(std::int64_t processed, std::optional<std::int64_t> total = std::nullopt);
  void report(const Progress& progress);

  // Cancellation: poll it, wait on it, or be called back (once, from the worker's thread; a
  // callback registered after the fact runs at once on the caller's thread).
  bool cancelled() const;
  StopReason stop_reason() const;
  // Waits up to `timeout`; true once the job is asked to stop.
  bool wait_cancelled(std::chrono::milliseconds timeout) const;
  void on_cancel(std::function<void(StopReason)> callback);

  // The soft timeout: the server says it has passed (a notice; the handler may go on).
  bool soft_timeout_passed() const;
  void on_soft_timeout(std::function<void()> callback);

  // Used by the worker runtime.
  void request_stop(StopReason reason);
  void notice_soft_timeout();
  // The pending progress, if any, cleared as it is taken.
  std::optional<Progress> take_progress();
  bool has_progress() const;

 private:
  void merge(const Progress& p);

  const Job job_;
  const std::chrono::steady_clock::time_point started_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  Progress pending_;
  bool has_pending_ = false;
  StopReason stop_ = StopReason::none;
  bool soft_timeout_ = false;
  std::vector<std::function<void(StopReason)>> on_cancel_;
  std::vector<std::function<void()>> on_soft_timeout_;
};

// Returns the job's result as JSON text ("" counts as null); throws to fail it.
using JobHandler = std::function<std::string(JobContext&)>;

struct WorkerOptions {
  std::string id;  // default: host-pid-random
  std::vector<std::string> queues = {"default"};
  int concurrency = 1;  // slots; the server's `scale` changes it
  // Jobs leased ahead of free slots, so that a slot that frees up starts its next job at once
  // (-1: 4 x concurrency, as the Python worker and Celery; 0: leases only for free slots). A job
  // waiting ahead keeps its lease by heartbeats; its timeouts run from its lease; a stopping
  // worker gives the ones not started back at once.
  int prefetch = -1;
  std::int64_t lease_ms = 30'000;                   // renewed by each heartbeat
  std::chrono::milliseconds lease_wait{2'000};      // long poll of one lease request
  std::chrono::milliseconds heartbeat_interval{0};  // 0: a third of lease_ms
  std::chrono::milliseconds progress_interval{
      500};                                        // at most one progress update per job this often
  std::chrono::milliseconds beat_interval{5'000};  // presence beats; 0: none
  std::chrono::milliseconds grace{10'000};         // for stop() and the server's `stop`
  std::chrono::milliseconds retry_delay{1'000};    // after a failed lease (server down)
  std::string version = "jobq-cpp/0.1";
  // Each failed call to the source (a lease, heartbeat, outcome or beat the server refused or
  // never answered), from the worker's thread that made it. The worker goes on: leases are tried
  // again after retry_delay, an outcome up to three times while the source is unavailable.
  std::function<void(const Error&)> on_error;
};

struct WorkerCounters {
  std::uint64_t leased = 0;
  std::uint64_t completed = 0;
  std::uint64_t failed = 0;       // handler threw, or it was cancelled
  std::uint64_t handed_back = 0;  // given back for retry by a stopping worker
  std::uint64_t lost = 0;         // the server refused the outcome (lease lost)
  std::uint64_t errors = 0;       // failed calls to the source (see WorkerOptions::on_error)
};

enum class WorkerState { idle, running, quiet, stopping, stopped };
const char* to_string(WorkerState state);

class Worker {
 public:
  // The source must outlive the worker.
  Worker(JobSource& source, WorkerOptions options = {});
  // Stops (with the grace period) and waits.
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Registers the handler for one job type; before start(). Leases ask for these types only.
  void handle(std::string type, JobHandler handler);

  // Starts the slots, heartbeats and beats on threads of the worker's own; returns at once.
  Status start();
  // start(), then blocks until the worker has stopped (stop(), a signal, or the server's `stop`).
  Status run();
  // Stops leasing, lets running jobs finish for up to `grace` (default: options.grace), then asks
  // the rest to stop (StopReason::worker_stopping) and hands them back for retry. Returns at once,
  // from any thread (a handler's too). A second stop can only shorten the grace. Handing a job
  // back fails its attempt (retryable), which counts against its max_attempts.
  void stop();
  void stop(std::chrono::milliseconds grace);
  // Quiet: runs what it has, leases nothing more, keeps beating.
  void quiet();
  // Blocks until every slot has ended, including handlers still running after their job was
  // handed back. Never from a handler.
  void wait();

  const std::string& id() const;
  int concurrency() const;
  int running() const;
  WorkerState state() const;
  WorkerCounters counters() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// While it lives, SIGTERM and SIGINT stop the worker (with its grace period) instead of killing
// the process; a second signal stops it with no grace. Construct it before any other thread
// starts (it blocks the signals in the calling thread, which new threads inherit), and so before
// the first Client call too: resolving the server's name starts Asio's resolver thread.
class StopOnSignals {
 public:
  explicit StopOnSignals(Worker& worker);
  ~StopOnSignals();
  StopOnSignals(const StopOnSignals&) = delete;
  StopOnSignals& operator=(const StopOnSignals&) = delete;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace jobq
