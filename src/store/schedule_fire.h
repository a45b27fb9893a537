// What WriteGroup::fire_schedule does around its submit, for the stores that keep a Schedule
// record whole (memory, sqlite); the redis store's is fire_schedule.lua.
#pragma once

#include "store/store.h"

namespace jobq {

// The fence: the schedule must still be due at fire.due, and not paused since it was read.
inline Status check_fire(const Schedule& s, const ScheduleFire& fire) {
  if (s.next_run_at != fire.due)
    return Error(ErrorCode::conflict, "schedule " + fire.name + " has fired already");
  if (s.spec.paused) return Error(ErrorCode::conflict, "schedule " + fire.name + " is paused");
  return {};
}

// The move, once the runs' jobs are in.
inline void move_on(Schedule& s, const ScheduleFire& fire,
                    const std::vector<SubmitOutcome>& submitted) {
  if (!submitted.empty()) s.last_job_id = submitted.back().job.id;
  s.next_run_at = fire.next_run_at;
  s.last_run_at = fire.last_run_at;
  s.updated_at = fire.now;
}

}  // namespace jobq
