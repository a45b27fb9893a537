// The engine's reads.
#include "engine/stats.h"
#include "jobq/engine.h"
#include "store/store.h"

namespace jobq {

namespace {

constexpr std::size_t kRecentRuns = 10'000;

}  // namespace

Result<Job> Engine::get(const std::string& id) {
  auto job = store_.get(id);
  if (!job) return job.error();
  if (!*job) return Error::not_found("no job with id " + id);
  return std::move(**job);
}

Result<JobPage> Engine::list(const JobFilter& filter, const ListOptions& options) {
  return store_.list(filter, options);
}

Status Engine::pause_queue(const std::string& queue) {
  return store_.set_queue_paused(queue, true);
}

Status Engine::resume_queue(const std::string& queue) {
  Status s = store_.set_queue_paused(queue, false);
  if (s.ok()) wake_waiters();
  return s;
}

Result<std::vector<std::string>> Engine::paused_queues() {
  return store_.paused_queues();
}

Result<Stats> Engine::stats() {
  auto raw = store_.stats(kRecentRuns);
  if (!raw) return raw.error();
  return summarize(*raw);
}

}  // namespace jobq
