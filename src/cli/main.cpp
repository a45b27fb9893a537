// jobq: the command line of the jobq job server (docs/cli.md).
#include <CLI/CLI.hpp>
#include <csignal>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/session.h"

int main(int argc, char** argv) {
  // A worker's child that closes its stdin early must not end the worker.
  std::signal(SIGPIPE, SIG_IGN);
  jobq::cli::Session session;
  CLI::App app{"jobq: submit, inspect and run jobs of a jobqd server.", "jobq"};
  app.footer(jobq::cli::exit_codes_help());
  app.require_subcommand(1);
  app.fallthrough();  // --url and --key may come after the command too
  app.add_option("--url", session.url, "the server, e.g. http://127.0.0.1:8080 (env JOBQ_URL)");
  app.add_option("--key", session.key, "API key, sent as a Bearer token (env JOBQ_API_KEY)");
  jobq::cli::add_job_commands(app, session);
  jobq::cli::add_dead_letter_commands(app, session);
  jobq::cli::add_queue_commands(app, session);
  jobq::cli::add_schedule_commands(app, session);
  jobq::cli::add_limit_commands(app, session);
  jobq::cli::add_webhook_commands(app, session);
  jobq::cli::add_worker_admin_commands(app, session);
  jobq::cli::add_stats_command(app, session);
  jobq::cli::add_tail_command(app, session);
  jobq::cli::add_worker_command(app, session);
  jobq::cli::add_bench_command(app, session);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);  // prints help, or the error and a hint
    return code == 0 ? 0 : jobq::cli::kUsage;
  }
  return session.exit_code;
}
