// The workers' registry of a process whose store no other process shares: a map behind a mutex,
// gone with the process (a worker announces itself again with its next beat).
#pragma once

#include <map>
#include <mutex>

#include "store/worker_book.h"

namespace jobq {

class LocalWorkerBook final : public WorkerBook {
 public:
  Result<WorkerEntry> beat(const std::string& id, const std::string& beat, int concurrency,
                           Millis now, Millis forget_before) override;
  Result<std::vector<WorkerEntry>> list(Millis forget_before) override;
  Result<WorkerEntry> scale(const std::string& id, int concurrency) override;
  Result<WorkerEntry> command(const std::string& id, const std::string& command) override;

 private:
  void forget(Millis before);

  std::mutex mutex_;
  std::map<std::string, WorkerEntry> workers_;
};

}  // namespace jobq
