#include "cli/exec_job.h"

#include <unistd.h>

#include "cli/child_process.h"
#include "cli/stdout_protocol.h"

extern char** environ;

namespace jobq::cli {
namespace {

std::string last_line(const std::string& text) {
  std::size_t end = text.find_last_not_of("\r\n \t");
  if (end == std::string::npos) return "";
  std::size_t newline = text.find_last_of('\n', end);
  std::size_t start = newline == std::string::npos ? 0 : newline + 1;
  return text.substr(start, end + 1 - start);
}

std::string seconds(std::chrono::milliseconds ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%g s", static_cast<double>(ms.count()) / 1000.0);
  return text;
}

const char* why_stopped(StopReason reason) {
  switch (reason) {
    case StopReason::cancel_requested:
      return "cancelled";
    case StopReason::timed_out:
      return "timed out";
    case StopReason::lease_lost:
      return "lease lost";
    case StopReason::worker_stopping:
      return "the worker is stopping";
    case StopReason::none:
      break;
  }
  return "stopped";
}

}  // namespace

std::vector<std::string> child_environment(const std::vector<std::string>& inherited,
                                           const Job& job) {
  std::vector<std::string> env;
  for (const std::string& entry : inherited) {
    std::string name = entry.substr(0, entry.find('='));
    // The worker's key is the worker's: a job's command gets its data, not its credentials.
    if (name == "JOBQ_API_KEY" || name == "JOBQ_JOB_ID" || name == "JOBQ_JOB_TYPE" ||
        name == "JOBQ_ATTEMPT")
      continue;
    env.push_back(entry);
  }
  env.push_back("JOBQ_JOB_ID=" + job.id);
  env.push_back("JOBQ_JOB_TYPE=" + job.type);
  env.push_back("JOBQ_ATTEMPT=" + std::to_string(job.attempt));
  return env;
}

std::string run_exec_job(JobContext& job, const ExecSettings& settings) {
  std::vector<std::string> inherited;
  for (char** e = environ; *e; ++e) inherited.emplace_back(*e);
  ChildCommand command{settings.command, child_environment(inherited, job.job()), job.payload()};

  std::string result;
  ChildWatch watch;
  watch.grace = settings.kill_after;
  watch.on_stdout_line = [&](std::string_view raw) {
    StdoutLine line = parse_stdout_line(raw);
    switch (line.kind) {
      case StdoutLine::Kind::progress:
        job.progress(line.progress, line.text);
        break;
      case StdoutLine::Kind::stage:
        job.stage(line.text);
        break;
      case StdoutLine::Kind::json:
        result = line.text;
        break;
      case StdoutLine::Kind::malformed:
        settings.log("job " + job.id() + ": ignored stdout line: " + line.text);
        break;
      case StdoutLine::Kind::text:
        settings.log("job " + job.id() + ": " + line.text);
        break;
    }
  };
  watch.stop_requested = [&job] { return job.cancelled(); };
  auto outcome = run_child(command, watch);
  if (!outcome) throw JobFailure(outcome.error().message(), false);

  const std::string& tail = outcome->stderr_tail;
  std::string end = describe_end(*outcome);
  if (outcome->stopped) {
    std::string message = std::string(why_stopped(job.stop_reason())) + ": the command got SIGTERM";
    if (outcome->killed)
      message += ", outlived its " + seconds(settings.kill_after) + " grace and got SIGKILL";
    throw JobFailure(message + " (" + end + ")", true, tail);
  }
  if (outcome->exit_code != 0) {
    std::string message = "the command ended with " + end;
    if (std::string last = last_line(tail); !last.empty()) message += ": " + last;
    throw JobFailure(message, true, tail);
  }
  return result.empty() ? "null" : result;
}

}  // namespace jobq::cli
