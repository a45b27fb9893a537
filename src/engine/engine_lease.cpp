// Leases, now or waiting, and the heartbeats that keep them.
#include "engine/engine_impl.h"

namespace jobq {

Status Engine::validate_lease(const LeaseRequest& request) const {
  const EngineOptions& options = impl_->options;
  if (request.worker_id.empty()) return Error::invalid("worker_id", "is required");
  if (request.queues.empty()) return Error::invalid("queues", "name at least one queue");
  if (request.max_jobs < 1 || std::size_t(request.max_jobs) > options.max_lease_jobs)
    return Error::invalid("max_jobs",
                          "must be between 1 and " + std::to_string(options.max_lease_jobs));
  if (request.lease_ms < 1000 || request.lease_ms > options.max_lease_ms)
    return Error::invalid("lease_ms",
                          "must be between 1000 and " + std::to_string(options.max_lease_ms));
  return {};
}

Result<std::vector<Job>> Engine::lease(const LeaseRequest& request) {
  return wait_for<std::vector<Job>>(
      [&](LeaseCallback done) { lease_now_async(request, std::move(done)); });
}

void Engine::lease_now_async(const LeaseRequest& request, LeaseCallback done) {
  Impl& d = *impl_;
  if (Status s = validate_lease(request); !s.ok()) return done(s);
  Millis now = d.clock.now();
  d.write([request, now](WriteGroup& g) { return g.lease(request, now); },
          [&d, done = std::move(done)](Result<std::vector<Job>> leased) {
            if (leased)
              for (const Job& job : *leased) d.publish(EventType::started, job);
            done(std::move(leased));
          });
}

std::uint64_t Engine::lease_async(const LeaseRequest& request, LeaseCallback done) {
  // A request that could never be served is answered at once with its error.
  if (Status s = validate_lease(request); !s.ok()) {
    done(s);
    return 0;
  }
  return impl_->waiters->add(request, std::move(done));
}

void Engine::job_ready(const Job& job) {
  impl_->waiters->offer({job});
}

std::size_t Engine::waiting_leases() const {
  return impl_->waiters->size();
}

bool Engine::cancel_wait(std::uint64_t handle) {
  return handle != 0 && impl_->waiters->cancel(handle);
}

Result<std::vector<Job>> Engine::lease_wait(const LeaseRequest& request, std::int64_t wait_ms) {
  auto answer = std::make_shared<std::promise<Result<std::vector<Job>>>>();
  auto future = answer->get_future();
  std::uint64_t handle = lease_async(
      request, [answer](Result<std::vector<Job>> r) { answer->set_value(std::move(r)); });
  if (future.wait_for(std::chrono::milliseconds(wait_ms)) == std::future_status::timeout &&
      cancel_wait(handle))
    return std::vector<Job>{};
  return future.get();
}

Result<HeartbeatReply> Engine::heartbeat(const std::string& id, const std::string& token,
                                         const Progress& p) {
  return wait_for<HeartbeatReply>(
      [&](Done<HeartbeatReply> done) { heartbeat_async(id, token, p, std::move(done)); });
}

void Engine::heartbeat_async(const std::string& id, const std::string& token, const Progress& p,
                             Done<HeartbeatReply> done) {
  if (p.progress && !(*p.progress >= 0 && *p.progress <= 100))
    return done(Error::invalid("progress", "must be between 0 and 100"));
  if (p.processed_items && *p.processed_items < 0)
    return done(Error::invalid("processed_items", "must be >= 0"));
  if (p.total_items && *p.total_items < 0)
    return done(Error::invalid("total_items", "must be >= 0"));
  Impl& d = *impl_;
  Millis now = d.clock.now();
  d.write([id, token, p, now](WriteGroup& g) { return g.heartbeat(id, token, p, now); },
          [&d, now, done = std::move(done)](Result<Job> job) {
            if (!job) return done(job.error());
            Job& j = *job;
            HeartbeatReply reply;
            reply.cancel_requested = j.cancel_requested;
            reply.soft_timeout_passed =
                j.soft_timeout_ms > 0 && now >= j.started_at + j.soft_timeout_ms;
            reply.lease_expires_at = j.lease_expires_at;
            d.publish(EventType::progress, std::move(j));
            done(reply);
          });
}

}  // namespace jobq
