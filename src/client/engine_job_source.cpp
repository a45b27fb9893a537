// A JobSource on an Engine in the same process: embedded jobq, no server.
#include <condition_variable>
#include <mutex>
#include <set>

#include "jobq/engine.h"
#include "jobq/job_source.h"

namespace jobq {

namespace {

class EngineJobSource final : public JobSource {
 public:
  explicit EngineJobSource(Engine& engine) : engine_(engine) {}

  Result<std::vector<Job>> lease(const LeaseRequest& request,
                                 std::chrono::milliseconds wait) override {
    if (wait.count() <= 0) return engine_.lease(request);
    auto pending = std::make_shared<Pending>();
    {
      std::lock_guard lock(mutex_);
      waiting_.insert(pending);
    }
    std::uint64_t handle = engine_.lease_async(request, [pending](Result<std::vector<Job>> r) {
      std::lock_guard lock(pending->mutex);
      pending->result.emplace(std::move(r));
      pending->changed.notify_all();
    });
    std::unique_lock lock(pending->mutex);
    pending->changed.wait_for(lock, wait, [&] { return pending->result || pending->woken; });
    if (!pending->result) {
      lock.unlock();
      bool withdrawn = engine_.cancel_wait(handle);
      lock.lock();
      // Not withdrawn: the engine is calling back with jobs right now; take them.
      if (!withdrawn) pending->changed.wait(lock, [&] { return pending->result.has_value(); });
    }
    std::optional<Result<std::vector<Job>>> result = std::move(pending->result);
    lock.unlock();
    {
      std::lock_guard guard(mutex_);
      waiting_.erase(pending);
    }
    if (!result) return std::vector<Job>{};
    return std::move(*result);
  }

  Result<HeartbeatReply> heartbeat(const std::string& id, const std::string& token,
                                   const Progress& progress) override {
    return engine_.heartbeat(id, token, progress);
  }

  Result<Job> complete(const std::string& id, const std::string& token,
                       const std::string& result_json) override {
    return engine_.complete(id, token, result_json);
  }

  Result<Job> fail(const std::string& id, const std::string& token, const std::string& message,
                   const std::string& traceback, bool retryable) override {
    return engine_.fail(id, token, {message, traceback, retryable});
  }

  Result<Job> release(const std::string& id, const std::string& token) override {
    return engine_.release(id, token);
  }

  Result<WorkerOrders> beat(const WorkerBeat& beat) override {
    return WorkerOrders{WorkerCommand::run, beat.concurrency};
  }

  void wake() override {
    std::lock_guard lock(mutex_);
    for (const auto& p : waiting_) {
      std::lock_guard plock(p->mutex);
      p->woken = true;
      p->changed.notify_all();
    }
  }

 private:
  struct Pending {
    std::mutex mutex;
    std::condition_variable changed;
    std::optional<Result<std::vector<Job>>> result;
    bool woken = false;
  };

  Engine& engine_;
  std::mutex mutex_;
  std::set<std::shared_ptr<Pending>> waiting_;
};

}  // namespace

std::unique_ptr<JobSource> engine_job_source(Engine& engine) {
  return std::make_unique<EngineJobSource>(engine);
}

}  // namespace jobq
