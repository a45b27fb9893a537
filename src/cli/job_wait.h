// `--wait`: follows a job over its WebSocket stream until it finishes, drawing its progress, and
// turns the outcome into the exit code (0 completed, 1 failed, 6 cancelled, 8 gave up).
#pragma once

#include <chrono>
#include <optional>

#include "cli/session.h"

namespace jobq::cli {

struct WaitOptions {
  bool json = false;  // no progress; the finished job as JSON
  std::optional<std::chrono::milliseconds> timeout;
};

// Prints the outcome: the result (completed) on stdout, or why not on stderr.
void wait_for_job(Session& session, const std::string& id, const WaitOptions& options);

}  // namespace jobq::cli
