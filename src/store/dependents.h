// What a finished job does to the jobs waiting on it, written once for every backend: a completion
// releases the dependents it was the last to wait for; a failure or cancellation fails them, and
// their own dependents in turn.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/transitions.h"

namespace jobq {

class DependentsAccess {
 public:
  virtual ~DependentsAccess() = default;
  // Ids of jobs that waited on `dep_id`; the links are removed.
  virtual std::vector<std::string> take_dependents(const std::string& dep_id) = 0;
  virtual std::optional<Job> load(const std::string& id) = 0;
  virtual void save(const Job& before, const Job& after) = 0;
};

// Returns the dependents that changed, in their new state.
std::vector<Job> settle_dependents(const Job& finished, Millis now, const Retention& retention,
                                   DependentsAccess& access);

}  // namespace jobq
