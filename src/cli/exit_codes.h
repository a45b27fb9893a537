// The exit codes of `jobq`, one per kind of outcome, so scripts can tell them apart.
#pragma once

#include "jobq/client.h"

namespace jobq::cli {

enum ExitCode : int {
  kOk = 0,            // done; with --wait, the job completed
  kJobFailed = 1,     // with --wait, the job failed
  kUsage = 2,         // bad flags or arguments, or input the server refused (400, 413)
  kNotFound = 3,      // no such job, worker or type (404)
  kAuth = 4,          // no key, an unknown key, or a key whose role may not do this (401, 403)
  kUnavailable = 5,   // the server did not answer, timed out, or is unavailable (503)
  kJobCancelled = 6,  // with --wait, the job was cancelled
  kConflict = 7,      // the job's state forbids it (409)
  kWaitTimedOut = 8,  // --wait --timeout passed before the job finished
  kOtherError = 9,    // anything else (500, an answer the API does not promise)
};

ExitCode exit_code_for(const ApiError& error);

// The table printed at the end of `jobq --help`.
const char* exit_codes_help();

}  // namespace jobq::cli
