// The engine's reads.
#include "engine/engine_impl.h"
#include "engine/stats.h"

namespace jobq {

namespace {

constexpr std::size_t kRecentRuns = 10'000;

}  // namespace

Result<Job> Engine::get(const std::string& id) {
  auto job = impl_->store.get(id);
  if (!job) return job.error();
  if (!*job) return job_not_found(id);
  return std::move(**job);
}

Result<JobPage> Engine::list(const JobFilter& filter, const ListOptions& options) {
  return impl_->store.list(filter, options);
}

Result<std::vector<std::string>> Engine::paused_queues() {
  return impl_->store.paused_queues();
}

Result<Stats> Engine::stats() {
  auto raw = impl_->store.stats(kRecentRuns);
  if (!raw) return raw.error();
  return summarize(*raw);
}

}  // namespace jobq
