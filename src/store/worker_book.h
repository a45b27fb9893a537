// The workers' registry as a store keeps it when several processes share the store (the redis
// store): every node sees every worker's beats and the orders operators gave it. One record per
// worker id; what it last said of itself (`beat`) is opaque text here.
#pragma once

#include <string>
#include <vector>

#include "jobq/clock.h"
#include "jobq/error.h"

namespace jobq {

struct WorkerEntry {
  std::string id;
  std::string beat;             // what the worker last said of itself, as the server wrote it
  std::string command = "run";  // run, quiet or stop
  int concurrency = 1;          // its own at its first beat, or what an operator set
  Millis first_seen_at = 0;
  Millis last_beat_at = 0;
};

class WorkerBook {
 public:
  virtual ~WorkerBook() = default;
  // Records a beat at `now` (a new worker starts with `concurrency` and command run) and forgets
  // workers whose last beat is before `forget_before`. Answers the record with its orders.
  virtual Result<WorkerEntry> beat(const std::string& id, const std::string& beat, int concurrency,
                                   Millis now, Millis forget_before) = 0;
  virtual Result<std::vector<WorkerEntry>> list(Millis forget_before) = 0;
  // not_found for an unknown id.
  virtual Result<WorkerEntry> scale(const std::string& id, int concurrency) = 0;
  // A stop is final: a later quiet or run does not undo it.
  virtual Result<WorkerEntry> command(const std::string& id, const std::string& command) = 0;
};

}  // namespace jobq
