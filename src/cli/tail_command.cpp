// tail: the live events feed, one line per event (or the server's JSON with --json).
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/output.h"
#include "core/time_format.h"
#include "wire/job_json.h"

namespace jobq::cli {

void add_tail_command(CLI::App& app, Session& session) {
  struct Flags {
    EventFilter filter;
    long long count = 0;
    bool json = false;
  };
  auto f = std::make_shared<Flags>();
  auto* c = app.add_subcommand("tail", "follow live events until interrupted (or --count)");
  c->add_option("-q,--queue", f->filter.queues,
                "only these queues (repeatable, or comma-separated)")
      ->delimiter(',');
  c->add_option("--type", f->filter.types, "only these job types")->delimiter(',');
  c->add_option("-e,--event", f->filter.events,
                "only these events: submitted queued started progress cancel_requested updated "
                "retrying completed failed cancelled purged")
      ->delimiter(',');
  c->add_option("-n,--count", f->count, "stop after this many events");
  c->add_flag("--json", f->json, "each message as the server sent it: {\"event\",\"job\"}");
  c->callback([&session, f] {
    long long seen = 0;
    ApiStatus s = session.client().events(f->filter, [&](const JobEvent& e) {
      if (f->json) {
        std::printf("%s\n", e.text.c_str());
      } else {
        const Job& j = e.job;
        std::string detail;
        if (e.event == "progress") {
          detail = value_text(number_to_json(j.progress)) + "%";
          if (!j.stage.empty()) detail += " " + j.stage;
          if (!j.progress_message.empty()) detail += ": " + j.progress_message;
        } else if (const JobError* err = j.error();
                   err && (e.event == "failed" || e.event == "retrying")) {
          detail = err->message;
        }
        std::printf("%s  %-16s %s  %s  %s  %s%s%s\n", format_time(j.updated_at).c_str(),
                    e.event.c_str(), j.id.c_str(), j.type.c_str(), j.queue.c_str(),
                    status_text(j).c_str(), detail.empty() ? "" : "  ", detail.c_str());
      }
      std::fflush(stdout);
      return f->count <= 0 || ++seen < f->count;
    });
    if (!s.ok()) session.fail("tail", s);
  });
}

}  // namespace jobq::cli
