// The workers that beat: what each serves and runs, and what operators asked of it. Kept in a
// WorkerBook: the store's when several nodes share the store (each then sees every worker), else
// one of this process's own in memory (a worker announces itself again with its next beat after
// a restart).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "jobq/clock.h"
#include "jobq/error.h"
#include "jobq/workers.h"
#include "store/worker_book.h"

namespace jobq {
class FieldReader;
}

namespace jobq::server {

std::string_view to_string(WorkerCommand c);

// A beat's fields as JSON, as a worker's POST /workers/{id}/beat sends them and the book keeps
// them: the one reader of both.
FieldReader& read_beat(FieldReader& in, WorkerBeat& b);

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
  // `shared`: the store's book (Store::shared_workers), or none for one of the registry's own.
  WorkerRegistry(const Clock& clock, std::int64_t lost_after_ms = 30'000,
                 std::int64_t forget_after_ms = 3'600'000, WorkerBook* shared = nullptr);
  ~WorkerRegistry();

  // Records the beat; the answer is what the worker should do now.
  Result<WorkerRecord> beat(WorkerBeat beat);
  Result<std::vector<WorkerRecord>> list();
  Result<WorkerRecord> scale(const std::string& id, int concurrency);
  Result<WorkerRecord> command(const std::string& id, WorkerCommand command);
  Result<std::size_t> alive();

 private:
  Result<WorkerRecord> view(const Result<WorkerEntry>& entry) const;

  const Clock& clock_;
  std::int64_t lost_after_ms_, forget_after_ms_;
  std::unique_ptr<WorkerBook> own_;
  WorkerBook& book_;
};

}  // namespace jobq::server
