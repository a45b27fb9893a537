// The state machine: one table of allowed transitions. Every status change goes through it.
#pragma once

#include "jobq/error.h"
#include "jobq/job.h"

namespace jobq {

bool transition_allowed(JobStatus from, JobStatus to);

// Sets job.status to `to`, or answers conflict naming both states and changes nothing.
Status transition(Job& job, JobStatus to);

}  // namespace jobq
