#include "server/live/worker_registry.h"

namespace jobq::server {

std::string_view to_string(WorkerCommand c) {
  switch (c) {
    case WorkerCommand::run:
      return "run";
    case WorkerCommand::quiet:
      return "quiet";
    case WorkerCommand::stop:
      return "stop";
  }
  return "run";
}

std::string_view WorkerRecord::state() const {
  if (lost) return "lost";
  if (command == WorkerCommand::stop) return "stopping";
  if (command == WorkerCommand::quiet) return "quiet";
  return "active";
}

WorkerRegistry::WorkerRegistry(const Clock& clock, std::int64_t lost_after_ms,
                               std::int64_t forget_after_ms)
    : clock_(clock), lost_after_ms_(lost_after_ms), forget_after_ms_(forget_after_ms) {}

WorkerRecord WorkerRegistry::view(const WorkerRecord& w) const {
  WorkerRecord out = w;
  out.lost = clock_.now() - w.last_beat_at > lost_after_ms_;
  return out;
}

void WorkerRegistry::forget_old() {
  Millis now = clock_.now();
  std::erase_if(workers_, [&](const auto& item) {
    return now - item.second.last_beat_at > forget_after_ms_;
  });
}

WorkerRecord WorkerRegistry::beat(WorkerBeat beat) {
  std::lock_guard lock(mutex_);
  forget_old();
  Millis now = clock_.now();
  auto [it, created] = workers_.try_emplace(beat.id);
  WorkerRecord& w = it->second;
  if (created) {
    w.first_seen_at = now;
    w.concurrency = beat.concurrency;
  }
  w.beat = std::move(beat);
  w.last_beat_at = now;
  return view(w);
}

std::vector<WorkerRecord> WorkerRegistry::list() {
  std::lock_guard lock(mutex_);
  forget_old();
  std::vector<WorkerRecord> out;
  for (const auto& [id, w] : workers_) out.push_back(view(w));
  return out;
}

Result<WorkerRecord> WorkerRegistry::scale(const std::string& id, int concurrency) {
  std::lock_guard lock(mutex_);
  auto it = workers_.find(id);
  if (it == workers_.end()) return Error::not_found("no worker with id " + id);
  it->second.concurrency = concurrency;
  return view(it->second);
}

Result<WorkerRecord> WorkerRegistry::command(const std::string& id, WorkerCommand command) {
  std::lock_guard lock(mutex_);
  auto it = workers_.find(id);
  if (it == workers_.end()) return Error::not_found("no worker with id " + id);
  // A stop is final: a later quiet does not undo it.
  if (it->second.command != WorkerCommand::stop) it->second.command = command;
  return view(it->second);
}

std::size_t WorkerRegistry::alive() {
  std::lock_guard lock(mutex_);
  Millis now = clock_.now();
  std::size_t n = 0;
  for (const auto& [id, w] : workers_) n += now - w.last_beat_at <= lost_after_ms_;
  return n;
}

}  // namespace jobq::server
