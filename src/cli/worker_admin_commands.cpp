// workers ls|scale|quiet|stop: the registry of workers, and orders for their next beat.
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/output.h"

namespace jobq::cli {
namespace {

void print_worker(const boost::json::value& w) {
  std::printf("%s %s concurrency=%s\n", member_text(w, "id").c_str(),
              member_text(w, "state").c_str(), member_text(w, "concurrency").c_str());
}

void add_order(CLI::App& parent, Session& session, const std::string& name, const std::string& help,
               ApiResult<boost::json::value> (Client::*call)(const std::string&)) {
  auto id = std::make_shared<std::string>();
  auto* c = parent.add_subcommand(name, help);
  c->add_option("id", *id, "the worker's id (see jobq workers ls)")->required();
  c->callback([&session, id, name, call] {
    auto answer = (session.client().*call)(*id);
    if (!answer) return session.fail("workers " + name + " " + *id, answer.error());
    print_worker(*answer);
  });
}

}  // namespace

void add_worker_admin_commands(CLI::App& app, Session& session) {
  auto* workers = app.add_subcommand("workers", "workers: list, scale, quiet, stop");
  workers->require_subcommand(1);

  auto json = std::make_shared<bool>(false);
  auto* ls = workers->add_subcommand("ls", "every worker that has beaten, and its state");
  ls->add_flag("--json", *json, "the answer as JSON");
  ls->callback([&session, json] {
    auto answer = session.client().workers();
    if (!answer) return session.fail("workers ls", answer.error());
    if (*json) return print_json(*answer);
    Table table({"ID", "STATE", "HOST", "PID", "RUNNING", "TYPES", "QUEUES", "LAST BEAT"});
    table.align_right(3);
    table.align_right(4);
    const boost::json::value* list =
        answer->is_object() ? answer->get_object().if_contains("workers") : nullptr;
    if (list && list->is_array())
      for (const auto& w : list->get_array())
        table.add_row(
            {member_text(w, "id"), member_text(w, "state"), member_text(w, "host"),
             member_text(w, "pid"), member_text(w, "running") + "/" + member_text(w, "concurrency"),
             list_text(w, "types"), list_text(w, "queues"), member_text(w, "last_beat_at")});
    table.print(stdout);
  });

  struct ScaleFlags {
    std::string id;
    int concurrency = 1;
  };
  auto s = std::make_shared<ScaleFlags>();
  auto* scale = workers->add_subcommand("scale", "set a worker's concurrency (at its next beat)");
  scale->add_option("id", s->id, "the worker's id")->required();
  scale->add_option("concurrency", s->concurrency, "slots, 1..10000")->required();
  scale->callback([&session, s] {
    auto answer = session.client().scale_worker(s->id, s->concurrency);
    if (!answer) return session.fail("workers scale " + s->id, answer.error());
    print_worker(*answer);
  });
  add_order(*workers, session, "quiet", "finish running jobs, lease no more",
            &Client::quiet_worker);
  add_order(*workers, session, "stop", "stop the worker (after its grace period)",
            &Client::stop_worker);
}

}  // namespace jobq::cli
