// schedule ls|add|rm|pause|resume|trigger: cron schedules.
#include <cstdio>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/job_flags.h"
#include "cli/output.h"
#include "cli/payload_input.h"
#include "wire/schedule_json.h"

namespace jobq::cli {
namespace {

void print_schedule(const Schedule& s, bool json) {
  if (json) return print_json(schedule_to_json(s));
  std::printf("%s %s next %s\n", s.spec.name.c_str(), s.spec.paused ? "paused" : "active",
              time_text(s.next_run_at).c_str());
}

void add_ls(CLI::App& parent, Session& session) {
  auto json = std::make_shared<bool>(false);
  auto* ls = parent.add_subcommand("ls", "every schedule, with its next and last run");
  ls->add_flag("--json", *json, "the answer as JSON");
  ls->callback([&session, json] {
    auto all = session.client().schedules();
    if (!all) return session.fail("schedule ls", all.error());
    if (*json) {
      boost::json::array out;
      for (const Schedule& s : *all) out.emplace_back(schedule_to_json(s));
      return print_json(boost::json::object{{"schedules", std::move(out)}});
    }
    Table table({"NAME", "CRON", "TIMEZONE", "TYPE", "QUEUE", "STATE", "NEXT", "LAST"});
    for (const Schedule& s : *all)
      table.add_row({s.spec.name, s.spec.cron, s.spec.timezone, s.spec.job.type, s.spec.job.queue,
                     s.spec.paused ? "paused" : "active", time_text(s.next_run_at),
                     time_text(s.last_run_at)});
    table.print(stdout);
  });
}

void add_add(CLI::App& parent, Session& session) {
  struct Flags {
    ScheduleSpec spec;
    std::string type;
    std::optional<std::string> payload;
    JobFlags job;
    std::string overlap, misfire;
    bool json = false;
  };
  auto f = std::make_shared<Flags>();
  auto* c = parent.add_subcommand(
      "add", "create a schedule that submits a job at each due time; prints its next run");
  c->add_option("name", f->spec.name, "the schedule's name")->required();
  c->add_option("cron", f->spec.cron,
                "when: 5 fields (minute hour day month weekday), 6 with seconds first, or "
                "@hourly, @daily, @weekly, @monthly, @yearly; quote it")
      ->required();
  c->add_option("type", f->type, "the job's type")->required();
  c->add_option("payload", f->payload, "the job's JSON payload: the text, @FILE, or -");
  c->add_option("--tz,--timezone", f->spec.timezone, "IANA time zone (default UTC)");
  c->add_option("--overlap", f->overlap,
                "while the previous run is unfinished: allow (default), skip, cancel_previous");
  c->add_option("--misfire", f->misfire,
                "due times missed while jobqd was down: skip, run_once (default), run_all");
  c->add_option("--misfire-limit", f->spec.misfire_limit, "most runs run_all makes (default 100)");
  c->add_flag("--paused", f->spec.paused, "create it paused");
  f->job.add_to(*c);
  c->add_flag("--json", f->json, "print the schedule as JSON");
  c->callback([&session, f] {
    auto payload = read_payload(f->payload, std::cin);
    if (!payload) return session.fail(payload.error());
    auto job = f->job.to_spec(f->type, std::move(*payload));
    if (!job) return session.fail(job.error());
    f->spec.job = std::move(*job);
    if (!f->overlap.empty()) {
      auto o = overlap_from_string(f->overlap);
      if (!o)
        return session.fail(Error::invalid(
            "--overlap", "\"" + f->overlap + "\" is not allow, skip or cancel_previous"));
      f->spec.overlap = *o;
    }
    if (!f->misfire.empty()) {
      auto m = misfire_from_string(f->misfire);
      if (!m)
        return session.fail(
            Error::invalid("--misfire", "\"" + f->misfire + "\" is not skip, run_once or run_all"));
      f->spec.misfire = *m;
    }
    auto created = session.client().create_schedule(f->spec);
    if (!created) return session.fail("schedule add", created.error());
    print_schedule(*created, f->json);
  });
}

// rm, pause, resume: one schedule by name, answered with the schedule.
void add_by_name(CLI::App& parent, Session& session, const std::string& verb,
                 const std::string& help, ApiResult<Schedule> (Client::*call)(const std::string&)) {
  auto name = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto* c = parent.add_subcommand(verb, help);
  c->add_option("name", *name, "the schedule's name")->required();
  c->add_flag("--json", *json, "print the schedule as JSON");
  c->callback([&session, name, json, verb, call] {
    auto answer = (session.client().*call)(*name);
    if (!answer) return session.fail("schedule " + verb + " " + *name, answer.error());
    if (verb == "rm" && !*json) return (void)std::printf("%s removed\n", name->c_str());
    print_schedule(*answer, *json);
  });
}

void add_trigger(CLI::App& parent, Session& session) {
  auto name = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto* c = parent.add_subcommand("trigger", "submit the schedule's job now; prints its id");
  c->add_option("name", *name, "the schedule's name")->required();
  c->add_flag("--json", *json, "print the job as JSON");
  c->callback([&session, name, json] {
    auto job = session.client().trigger_schedule(*name);
    if (!job) return session.fail("schedule trigger " + *name, job.error());
    if (*json) return print_job_json(*job);
    std::printf("%s\n", job->id.c_str());
  });
}

}  // namespace

void add_schedule_commands(CLI::App& app, Session& session) {
  auto* schedule =
      app.add_subcommand("schedule", "cron schedules: ls, add, rm, pause, resume, trigger");
  schedule->require_subcommand(1);
  add_ls(*schedule, session);
  add_add(*schedule, session);
  add_by_name(*schedule, session, "rm", "delete a schedule (the jobs it submitted stay)",
              &Client::delete_schedule);
  add_by_name(*schedule, session, "pause", "fire nothing until resumed", &Client::pause_schedule);
  add_by_name(*schedule, session, "resume", "fire again, from now on", &Client::resume_schedule);
  add_trigger(*schedule, session);
}

}  // namespace jobq::cli
