// worker --type T -- COMMAND ARGS...: runs COMMAND once per job, through the SDK's Worker.
#include <cstdio>
#include <memory>
#include <mutex>

#include "cli/commands.h"
#include "cli/exec_job.h"
#include "cli/job_flags.h"
#include "jobq/worker.h"

namespace jobq::cli {

void add_worker_command(CLI::App& app, Session& session) {
  struct Flags {
    std::vector<std::string> types;
    std::vector<std::string> queues = {"default"};
    int concurrency = 1;
    std::string id;
    std::string kill_after = "10s";
    std::string stop_grace = "10s";
    std::string lease = "30s";
    std::vector<std::string> command;
  };
  auto f = std::make_shared<Flags>();
  auto* c = app.add_subcommand("worker", "run a command once per job (-- COMMAND ARGS...)");
  c->footer(
      "Runs COMMAND once per job: the payload on its stdin; JOBQ_JOB_ID, JOBQ_JOB_TYPE and "
      "JOBQ_ATTEMPT in its environment; its stdout lines `progress <0-100> [message]` and "
      "`stage <name>` report progress, and its last stdout line that is JSON is the result; a "
      "non-zero exit fails the job with the tail of its stderr; a cancel or timeout sends it "
      "SIGTERM, then SIGKILL after --kill-after. SIGTERM or SIGINT stop the worker: running jobs "
      "get --stop-grace to finish, the rest go back to the queue.");
  c->add_option("--type", f->types, "job types to run (repeatable, or comma-separated)")
      ->required()
      ->delimiter(',');
  c->add_option("-q,--queue", f->queues, "queues to lease from (default: default)")->delimiter(',');
  c->add_option("-c,--concurrency", f->concurrency, "jobs run at once (1..10000)")
      ->check(CLI::Range(1, 10000));
  c->add_option("--id", f->id, "the worker's id (default: host-pid-random)");
  c->add_option("--kill-after", f->kill_after, "from SIGTERM to SIGKILL for a stopped command")
      ->capture_default_str();
  c->add_option("--stop-grace", f->stop_grace, "for running jobs when the worker stops")
      ->capture_default_str();
  c->add_option("--lease", f->lease, "lease length, renewed by each heartbeat (at least 1s)")
      ->capture_default_str();
  c->add_option("command", f->command, "after --: the command and its arguments")->required();
  c->callback([&session, f] {
    auto kill_after = parse_duration(f->kill_after, "--kill-after");
    if (!kill_after) return session.fail(kill_after.error());
    auto stop_grace = parse_duration(f->stop_grace, "--stop-grace");
    if (!stop_grace) return session.fail(stop_grace.error());
    auto lease = parse_duration(f->lease, "--lease");
    if (!lease) return session.fail(lease.error());
    if (*lease < 1000) return session.fail(Error::invalid("--lease", "must be at least 1s"));

    Client& client = session.client();
    WorkerOptions options;
    options.id = f->id;
    options.queues = f->queues;
    options.concurrency = f->concurrency;
    options.lease_ms = *lease;
    options.grace = std::chrono::milliseconds(*stop_grace);
    options.version = "jobq-cli/0.1";
    auto log_mutex = std::make_shared<std::mutex>();
    ExecSettings exec{f->command, std::chrono::milliseconds(*kill_after),
                      [log_mutex](const std::string& line) {
                        std::lock_guard lock(*log_mutex);
                        std::fprintf(stderr, "%s\n", line.c_str());
                      }};
    // The worker goes on after a failed call (it retries); the operator still hears of it.
    options.on_error = [log = exec.log](const Error& e) { log("jobq worker: " + e.to_string()); };
    auto source = remote_job_source(client);
    Worker worker(*source, options);
    for (const std::string& type : f->types)
      worker.handle(type, [exec](JobContext& job) {
        exec.log("job " + job.id() + " " + job.type() + " attempt " +
                 std::to_string(job.attempt()) + ": started");
        try {
          std::string result = run_exec_job(job, exec);
          exec.log("job " + job.id() + ": completed");
          return result;
        } catch (const JobFailure& e) {
          exec.log("job " + job.id() + ": failed: " + e.what());
          throw;
        }
      });
    // Before any thread starts (the worker's, or the client's resolver), so that all of them
    // inherit the blocked signals.
    StopOnSignals signals(worker);
    // A wrong URL or key is said at once, rather than by a worker that leases nothing.
    if (auto probe = client.queues(); !probe) return session.fail("worker", probe.error());
    exec.log("jobq worker " + worker.id() + ": running `" + f->command.front() + "` for " +
             std::to_string(f->types.size()) + " type(s), concurrency " +
             std::to_string(f->concurrency));
    if (Status s = worker.run(); !s.ok())
      return session.fail(kOtherError, "worker: " + s.to_string());
    auto counters = worker.counters();
    exec.log("jobq worker " + worker.id() + ": stopped; " + std::to_string(counters.completed) +
             " completed, " + std::to_string(counters.failed) + " failed, " +
             std::to_string(counters.handed_back) + " handed back");
  });
}

}  // namespace jobq::cli
