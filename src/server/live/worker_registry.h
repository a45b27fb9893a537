// The workers that beat: what each serves and runs, and what operators asked of it. Kept in
// memory: a worker announces itself again with its next beat after a restart.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "jobq/clock.h"
#include "jobq/error.h"
#include "jobq/workers.h"

namespace jobq::server {

std::string_view to_string(WorkerCommand c);

// What the registry keeps of one worker: its last beat and what operators asked of it.
struct WorkerRecord {
  WorkerBeat beat;
  WorkerCommand command = WorkerCommand::run;
  int concurrency = 1;  // what the worker should run: its own, or what an operator set
  Millis first_seen_at = 0;
  Millis last_beat_at = 0;
  bool lost = false;  // no beat for longer than lost_after
  // active, quiet, stopping or lost
  std::string_view state() const;
};

class WorkerRegistry {
 public:
  // A worker is lost after `lost_after_ms` without a beat, and forgotten after `forget_after_ms`.
  WorkerRegistry(const Clock& clock, std::int64_t lost_after_ms = 30'000,
                 std::int64_t forget_after_ms = 3'600'000);

  // Records the beat; the answer is what the worker should do now.
  WorkerRecord beat(WorkerBeat beat);
  std::vector<WorkerRecord> list();
  Result<WorkerRecord> scale(const std::string& id, int concurrency);
  Result<WorkerRecord> command(const std::string& id, WorkerCommand command);
  std::size_t alive();

 private:
  WorkerRecord view(const WorkerRecord& w) const;
  void forget_old();

  const Clock& clock_;
  std::int64_t lost_after_ms_, forget_after_ms_;
  std::mutex mutex_;
  std::map<std::string, WorkerRecord> workers_;
};

}  // namespace jobq::server
