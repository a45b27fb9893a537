// A JobSource over HTTP: the Client's worker calls, with errors in the engine's codes.
#include <mutex>

#include "jobq/client.h"
#include "jobq/job_source.h"

namespace jobq {

namespace {

template <class T>
Result<T> local(ApiResult<T> r) {
  if (!r) return r.error().to_error();
  return std::move(*r);
}

class RemoteJobSource final : public JobSource {
 public:
  explicit RemoteJobSource(Client& client) : client_(client) {}

  Result<std::vector<Job>> lease(const LeaseRequest& request,
                                 std::chrono::milliseconds wait) override {
    std::stop_token stop;
    {
      std::lock_guard lock(mutex_);
      stop = wake_.get_token();
    }
    auto jobs = client_.lease(request, wait, stop);
    if (!jobs && jobs.error().code() == "cancelled") return std::vector<Job>{};
    return local(std::move(jobs));
  }

  Result<HeartbeatReply> heartbeat(const std::string& id, const std::string& token,
                                   const Progress& progress) override {
    return local(client_.heartbeat(id, token, progress));
  }

  Result<Job> complete(const std::string& id, const std::string& token,
                       const std::string& result_json) override {
    return local(client_.complete(id, token, result_json));
  }

  Result<Job> fail(const std::string& id, const std::string& token, const std::string& message,
                   const std::string& traceback, bool retryable) override {
    return local(client_.fail(id, token, message, traceback, retryable));
  }

  Result<Job> release(const std::string& id, const std::string& token) override {
    return local(client_.release(id, token));
  }

  Handoff finish_and_lease(const std::vector<AckItem>& items, const LeaseRequest& next) override {
    Handoff h;
    if (next.max_jobs <= 0) {
      auto answer = client_.ack(items);
      for (std::size_t i = 0; i < items.size(); ++i) {
        if (!answer)
          h.outcomes.push_back(answer.error().to_error());
        else
          h.outcomes.push_back((*answer)[i] ? Status{} : (*answer)[i].error().to_error());
      }
      return h;
    }
    // The worker needs only whether its outcomes were taken; the jobs are not sent back.
    auto answer = client_.ack_and_lease(items, next);
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (!answer)
        h.outcomes.push_back(answer.error().to_error());
      else
        h.outcomes.push_back(answer->results.at(i).ok() ? Status{} : answer->results[i].to_error());
    }
    if (answer) h.jobs = std::move(answer->jobs);
    return h;
  }

  Result<WorkerOrders> beat(const WorkerBeat& beat) override { return local(client_.beat(beat)); }

  // Hangs up the leases waiting now; the server withdraws them. Later leases wait as usual.
  void wake() override {
    std::lock_guard lock(mutex_);
    wake_.request_stop();
    wake_ = std::stop_source();
  }

 private:
  Client& client_;
  std::mutex mutex_;
  std::stop_source wake_;
};

}  // namespace

std::unique_ptr<JobSource> remote_job_source(Client& client) {
  return std::make_unique<RemoteJobSource>(client);
}

}  // namespace jobq
