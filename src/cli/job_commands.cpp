// submit, get, ls, wait, cancel, retry: the producer's commands.
#include <cstdio>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/job_flags.h"
#include "cli/job_wait.h"
#include "cli/list_flags.h"
#include "cli/output.h"
#include "cli/payload_input.h"

namespace jobq::cli {
namespace {

void add_submit(CLI::App& app, Session& session) {
  struct Flags {
    std::string type;
    std::optional<std::string> payload;
    JobFlags job;
    bool wait = false;
    std::string wait_timeout;
    bool json = false;
  };
  auto f = std::make_shared<Flags>();
  auto* c = app.add_subcommand("submit", "submit a job; prints its id (or the job, with --json)");
  c->add_option("type", f->type, "the job's type (its handler's name)")->required();
  c->add_option("payload", f->payload,
                "JSON payload: the text itself, @FILE, or - (or @-) for stdin; default null");
  f->job.add_to(*c);
  c->add_flag("-w,--wait", f->wait,
              "follow the job until it finishes: a progress bar on a terminal, plain lines "
              "otherwise; prints the result and exits with the job's outcome");
  c->add_option("--wait-timeout", f->wait_timeout, "with --wait, give up after this long (exit 8)");
  c->add_flag("--json", f->json, "print the job as JSON (with --wait: the finished job)");
  c->callback([&session, f] {
    auto payload = read_payload(f->payload, std::cin);
    if (!payload) return session.fail(payload.error());
    auto spec = f->job.to_spec(f->type, std::move(*payload));
    if (!spec) return session.fail(spec.error());
    WaitOptions wait{.json = f->json};
    if (!f->wait_timeout.empty()) {
      auto ms = parse_duration(f->wait_timeout, "--wait-timeout");
      if (!ms) return session.fail(ms.error());
      wait.timeout = std::chrono::milliseconds(*ms);
    }
    auto submitted = session.client().submit(*spec);
    if (!submitted) return session.fail("submit", submitted.error());
    const Job& job = submitted->job;
    if (!f->wait) {
      if (f->json)
        print_job_json(job);
      else
        std::printf("%s\n", job.id.c_str());
      return;
    }
    if (!f->json) {
      std::printf("%s\n", job.id.c_str());
      std::fflush(stdout);
    }
    wait_for_job(session, job.id, wait);
  });
}

void add_get(CLI::App& app, Session& session) {
  struct Flags {
    std::string id;
    bool json = false;
  };
  auto f = std::make_shared<Flags>();
  auto* c = app.add_subcommand("get", "show one job");
  c->add_option("id", f->id, "the job's id")->required();
  c->add_flag("--json", f->json, "the job as JSON");
  c->callback([&session, f] {
    auto job = session.client().get(f->id);
    if (!job) return session.fail("get " + f->id, job.error());
    if (f->json)
      print_job_json(*job);
    else
      print_job_details(*job);
  });
}

void add_ls(CLI::App& app, Session& session) {
  auto f = std::make_shared<ListFlags>();
  auto* c = app.add_subcommand("ls", "list jobs, newest first: an aligned table, or --json");
  f->add_to(*c, true);
  c->callback([&session, f] {
    print_listing(session, *f, "ls", [&session](const JobFilter& filter, const ListOptions& o) {
      return session.client().list(filter, o);
    });
  });
}

void add_wait(CLI::App& app, Session& session) {
  struct Flags {
    std::string id;
    std::string timeout;
    bool json = false;
  };
  auto f = std::make_shared<Flags>();
  auto* c = app.add_subcommand(
      "wait", "follow a job until it finishes, as submit --wait does, and exit with its outcome");
  c->add_option("id", f->id, "the job's id")->required();
  c->add_option("--timeout", f->timeout, "give up after this long (exit 8)");
  c->add_flag("--json", f->json, "no progress; the finished job as JSON");
  c->callback([&session, f] {
    WaitOptions wait{.json = f->json};
    if (!f->timeout.empty()) {
      auto ms = parse_duration(f->timeout, "--timeout");
      if (!ms) return session.fail(ms.error());
      wait.timeout = std::chrono::milliseconds(*ms);
    }
    wait_for_job(session, f->id, wait);
  });
}

// cancel and retry: one call per id, each job's new state on its own line.
void add_per_job(CLI::App& app, Session& session, const std::string& name, const std::string& help,
                 ApiResult<Job> (Client::*call)(const std::string&)) {
  struct Flags {
    std::vector<std::string> ids;
    bool json = false;
  };
  auto f = std::make_shared<Flags>();
  auto* c = app.add_subcommand(name, help);
  c->add_option("ids", f->ids, "job ids")->required();
  c->add_flag("--json", f->json, "each job as JSON, one per line");
  c->callback([&session, f, name, call] {
    for (const std::string& id : f->ids) {
      auto job = (session.client().*call)(id);
      if (!job) {
        session.fail(name + " " + id, job.error());
        continue;
      }
      if (f->json)
        print_job_json(*job);
      else
        std::printf("%s %s\n", job->id.c_str(), status_text(*job).c_str());
    }
  });
}

}  // namespace

void add_job_commands(CLI::App& app, Session& session) {
  add_submit(app, session);
  add_get(app, session);
  add_ls(app, session);
  add_wait(app, session);
  add_per_job(app, session, "cancel",
              "cancel jobs: at once if not running; a running job is asked to stop",
              &Client::cancel);
  add_per_job(app, session, "retry", "queue failed or cancelled jobs again, attempts reset",
              &Client::retry);
}

}  // namespace jobq::cli
