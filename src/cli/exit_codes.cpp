#include "cli/exit_codes.h"

namespace jobq::cli {

ExitCode exit_code_for(const ApiError& error) {
  const std::string& code = error.code();
  if (error.ok()) return kOk;
  if (code == "invalid_argument" || code == "bad_request" || code == "payload_too_large" ||
      code == "headers_too_large")
    return kUsage;
  if (code == "not_found" || code == "route_not_found") return kNotFound;
  if (code == "unauthorized" || code == "forbidden") return kAuth;
  if (code == "connect_failed" || code == "timeout" || code == "transport" || code == "unavailable" ||
      code == "quota_exceeded")
    return kUnavailable;
  if (code == "conflict") return kConflict;
  return kOtherError;
}

const char* exit_codes_help() {
  return "Exit codes:\n"
         "  0  ok; with --wait, the job completed\n"
         "  1  with --wait, the job failed\n"
         "  2  usage: bad flags or arguments, or input the server refused (400, 413)\n"
         "  3  not found (404)\n"
         "  4  not allowed: no key, an unknown key, or a role that may not (401, 403)\n"
         "  5  server unreachable, timed out or unavailable (503), or over a quota for now (429)\n"
         "  6  with --wait, the job was cancelled\n"
         "  7  conflict: the job's state forbids it (409)\n"
         "  8  --wait gave up at its --timeout before the job finished\n"
         "  9  any other error (500, an unexpected answer)\n"
         "Server and key: --url/--key, else JOBQ_URL/JOBQ_API_KEY, else http://127.0.0.1:8080.\n";
}

}  // namespace jobq::cli
