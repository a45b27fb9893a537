// Runs one command as a child process for `jobq worker`: input on its stdin, its stdout read line
// by line, the tail of its stderr kept, and a stop delivered as SIGTERM to its process group, then
// SIGKILL once the grace period is over.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "jobq/error.h"

namespace jobq::cli {

struct ChildCommand {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH unless it holds a '/'
  std::vector<std::string> env;   // the child's whole environment, as NAME=value
  std::string input;              // written to its stdin, which is then closed
};

struct ChildWatch {
  // Called on the calling thread for each line of stdout, without its newline.
  std::function<void(std::string_view line)> on_stdout_line;
  // Polled every poll_interval; once true, the child is stopped.
  std::function<bool()> stop_requested;
  // Between SIGTERM and SIGKILL.
  std::chrono::milliseconds grace{10'000};
  std::chrono::milliseconds poll_interval{50};
  std::size_t stderr_tail_bytes = 4096;
};

struct ChildOutcome {
  int exit_code = -1;       // when it exited by itself (or after SIGTERM, by its handler)
  int signal = 0;           // when a signal ended it
  bool stopped = false;     // stop_requested() came true while it ran: it got SIGTERM
  bool killed = false;      // it outlived the grace and got SIGKILL
  std::string stderr_tail;  // the last stderr_tail_bytes of its stderr
  std::chrono::milliseconds ran{0};
};

// Blocks until the child has ended and its output is read. The child runs in a process group of
// its own (so a stop reaches what a script started too), with no descriptors but 0, 1 and 2, a
// clear signal mask and default dispositions. Errors: the command could not be started.
Result<ChildOutcome> run_child(const ChildCommand& command, const ChildWatch& watch);

// "exit code 3", "signal 9 (Killed)"
std::string describe_end(const ChildOutcome& outcome);

}  // namespace jobq::cli
