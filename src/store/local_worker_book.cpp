#include "store/local_worker_book.h"

namespace jobq {

void LocalWorkerBook::forget(Millis before) {
  std::erase_if(workers_, [&](const auto& item) { return item.second.last_beat_at < before; });
}

Result<WorkerEntry> LocalWorkerBook::beat(const std::string& id, const std::string& beat,
                                          int concurrency, Millis now, Millis forget_before) {
  std::lock_guard lock(mutex_);
  forget(forget_before);
  auto [it, created] = workers_.try_emplace(id);
  WorkerEntry& w = it->second;
  if (created) {
    w.id = id;
    w.concurrency = concurrency;
    w.first_seen_at = now;
  }
  w.beat = beat;
  w.last_beat_at = now;
  return w;
}

Result<std::vector<WorkerEntry>> LocalWorkerBook::list(Millis forget_before) {
  std::lock_guard lock(mutex_);
  forget(forget_before);
  std::vector<WorkerEntry> out;
  for (const auto& [id, w] : workers_) out.push_back(w);
  return out;
}

Result<WorkerEntry> LocalWorkerBook::scale(const std::string& id, int concurrency) {
  std::lock_guard lock(mutex_);
  auto it = workers_.find(id);
  if (it == workers_.end()) return Error::not_found("no worker with id " + id);
  it->second.concurrency = concurrency;
  return it->second;
}

Result<WorkerEntry> LocalWorkerBook::command(const std::string& id, const std::string& command) {
  std::lock_guard lock(mutex_);
  auto it = workers_.find(id);
  if (it == workers_.end()) return Error::not_found("no worker with id " + id);
  if (it->second.command != "stop") it->second.command = command;
  return it->second;
}

}  // namespace jobq
