// The command groups of `jobq`, one file each; each adds its subcommands to the app.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/session.h"

namespace jobq::cli {

void add_job_commands(CLI::App& app, Session& session);           // submit get ls wait cancel retry
void add_dead_letter_commands(CLI::App& app, Session& session);   // dlq ls|retry|purge
void add_queue_commands(CLI::App& app, Session& session);         // queues ls|pause|resume
void add_schedule_commands(CLI::App& app, Session& session);      // schedule ls|add|rm|...
void add_limit_commands(CLI::App& app, Session& session);         // limits ls|set|rm
void add_webhook_commands(CLI::App& app, Session& session);       // webhooks hooks|ls|show|...
void add_worker_admin_commands(CLI::App& app, Session& session);  // workers ls|scale|quiet|stop
void add_stats_command(CLI::App& app, Session& session);          // stats
void add_tail_command(CLI::App& app, Session& session);           // tail
void add_worker_command(CLI::App& app, Session& session);         // worker -- COMMAND
void add_bench_command(CLI::App& app, Session& session);          // bench

}  // namespace jobq::cli
