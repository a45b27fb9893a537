// One job run by `jobq worker`: the command as a child process, its stdout protocol turned into
// progress and a result, its end into the job's outcome.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "jobq/worker.h"

namespace jobq::cli {

struct ExecSettings {
  std::vector<std::string> command;              // argv; never through a shell
  std::chrono::milliseconds kill_after{10'000};  // SIGTERM, then SIGKILL this much later
  // Where the worker says what happens (a job's start and end, malformed progress lines, the
  // child's other stdout lines). Called from the job's thread.
  std::function<void(const std::string& line)> log;
};

// The job's result JSON; throws JobFailure when the command fails, is stopped or cannot start.
// The child gets the payload on stdin and JOBQ_JOB_ID, JOBQ_JOB_TYPE and JOBQ_ATTEMPT in its
// environment, which is otherwise the worker's without JOBQ_API_KEY.
std::string run_exec_job(JobContext& job, const ExecSettings& settings);

// The child's environment: `inherited` (NAME=value) minus JOBQ_API_KEY and the three job
// variables, then those three for this job.
std::vector<std::string> child_environment(const std::vector<std::string>& inherited,
                                           const Job& job);

}  // namespace jobq::cli
