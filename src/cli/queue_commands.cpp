// queues ls|pause|resume; their limits are set by `limits` (limit_commands.cpp).
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/output.h"
#include "wire/limits_json.h"

namespace jobq::cli {
namespace {

const char* const kStatuses[] = {"waiting",   "scheduled", "queued",   "running",
                                 "completed", "failed",    "cancelled"};

void add_pause_or_resume(CLI::App& parent, Session& session, const std::string& name,
                         const std::string& help,
                         ApiResult<boost::json::value> (Client::*call)(const std::string&)) {
  auto queue = std::make_shared<std::string>();
  auto* c = parent.add_subcommand(name, help);
  c->add_option("queue", *queue, "the queue's name")->required();
  c->callback([&session, queue, name, call] {
    auto answer = (session.client().*call)(*queue);
    if (!answer) return session.fail("queues " + name + " " + *queue, answer.error());
    bool paused = member_text(*answer, "paused") == "true";
    std::printf("%s %s\n", queue->c_str(), paused ? "paused" : "running");
  });
}

// A queue's cap and rate as cells; "-" for none, and for an answer without them.
std::vector<std::string> limit_cells(const boost::json::value& queue) {
  const boost::json::value* l =
      queue.is_object() ? queue.get_object().if_contains("limits") : nullptr;
  Limits limits;
  if (l) {
    if (auto read = limits_from_json(*l, UnknownFields::ignored)) limits = *read;
  }
  return {max_running_text(limits.max_running), rate_text(limits.starts)};
}

}  // namespace

void add_queue_commands(CLI::App& app, Session& session) {
  auto* queues =
      app.add_subcommand("queues", "queues: list, pause, resume (their limits: jobq limits)");
  queues->require_subcommand(1);

  auto json = std::make_shared<bool>(false);
  auto* ls = queues->add_subcommand(
      "ls", "every queue that holds jobs, is paused or has limits, with counts and limits");
  ls->add_flag("--json", *json, "the answer as JSON");
  ls->callback([&session, json] {
    auto answer = session.client().queues();
    if (!answer) return session.fail("queues ls", answer.error());
    if (*json) return print_json(*answer);
    std::vector<std::string> headers = {"QUEUE", "STATE"};
    for (const char* s : kStatuses) {
      std::string h = s;
      for (char& ch : h) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      headers.push_back(h);
    }
    headers.push_back("MAX_RUNNING");
    headers.push_back("STARTS");
    Table table(headers);
    for (std::size_t i = 2; i + 1 < headers.size(); ++i) table.align_right(i);
    const boost::json::value* list =
        answer->is_object() ? answer->get_object().if_contains("queues") : nullptr;
    if (list && list->is_array())
      for (const auto& q : list->get_array()) {
        std::vector<std::string> row = {member_text(q, "name"),
                                        member_text(q, "paused") == "true" ? "paused" : "running"};
        const boost::json::value* counts =
            q.is_object() ? q.get_object().if_contains("counts") : nullptr;
        for (const char* s : kStatuses) {
          std::string n = counts ? member_text(*counts, s) : "";
          row.push_back(n.empty() ? "0" : n);
        }
        for (std::string& cell : limit_cells(q)) row.push_back(std::move(cell));
        table.add_row(std::move(row));
      }
    table.print(stdout);
  });

  add_pause_or_resume(*queues, session, "pause",
                      "stop leasing from a queue (it still takes submits)", &Client::pause_queue);
  add_pause_or_resume(*queues, session, "resume", "lease from a paused queue again",
                      &Client::resume_queue);
}

}  // namespace jobq::cli
