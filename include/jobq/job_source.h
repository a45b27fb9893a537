// Where a Worker gets its jobs and reports on them: a remote jobqd (over a Client) or an Engine in
// the same process. The same handlers run on either.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "jobq/error.h"
#include "jobq/job.h"
#include "jobq/requests.h"
#include "jobq/workers.h"

namespace jobq {

class Client;
class Engine;

// Thread-safe: a Worker calls it from several threads at once. Errors use the engine's codes; a
// stale lease token is a `conflict`, an unreachable server `unavailable`.
class JobSource {
 public:
  virtual ~JobSource() = default;

  // Leases up to request.max_jobs jobs, waiting up to `wait` for one; none when the time is up or
  // wake() was called.
  virtual Result<std::vector<Job>> lease(const LeaseRequest& request,
                                         std::chrono::milliseconds wait) = 0;
  virtual Result<HeartbeatReply> heartbeat(const std::string& id, const std::string& token,
                                           const Progress& progress) = 0;
  virtual Result<Job> complete(const std::string& id, const std::string& token,
                               const std::string& result_json) = 0;
  virtual Result<Job> fail(const std::string& id, const std::string& token,
                           const std::string& message, const std::string& traceback,
                           bool retryable) = 0;
  // Gives back a leased job the worker did not start: queued again, its attempt not counted.
  virtual Result<Job> release(const std::string& id, const std::string& token) = 0;
  // Several jobs' outcomes and, in the same call where the source can (over HTTP, one POST
  // /ack), a lease of up to next.max_jobs more without waiting (none with max_jobs 0).
  // outcomes[i] answers items[i] as complete() or fail() would; the jobs come even when outcomes
  // are errors. The default makes the calls one by one.
  struct Handoff {
    std::vector<Status> outcomes;
    std::vector<Job> jobs;
  };
  virtual Handoff finish_and_lease(const std::vector<AckItem>& items, const LeaseRequest& next);
  // The worker's presence report; the answer says what to do.
  virtual Result<WorkerOrders> beat(const WorkerBeat& beat) = 0;
  // Cuts waiting leases short (a stopping worker calls it). May leave a lease to end by its wait.
  virtual void wake() {}
};

// Over HTTP. The client must outlive the source.
std::unique_ptr<JobSource> remote_job_source(Client& client);

// In the same process, no server: the engine must outlive the source. There is no workers
// registry in the engine, so beats are answered `run` with the worker's own concurrency.
std::unique_ptr<JobSource> engine_job_source(Engine& engine);

}  // namespace jobq
