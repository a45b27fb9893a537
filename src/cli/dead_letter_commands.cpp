// dlq ls|retry|purge: the dead-letter list (jobs that failed for good).
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/list_flags.h"
#include "cli/output.h"

namespace jobq::cli {

void add_dead_letter_commands(CLI::App& app, Session& session) {
  auto* dlq = app.add_subcommand("dlq", "the dead letters: jobs that failed for good");
  dlq->require_subcommand(1);

  auto list = std::make_shared<ListFlags>();
  auto* ls = dlq->add_subcommand("ls", "list dead letters (filters as for jobq ls)");
  list->add_to(*ls, false);
  ls->callback([&session, list] {
    print_listing(session, *list, "dlq ls",
                  [&session](const JobFilter& filter, const ListOptions& o) {
                    return session.client().dead_letters(filter, o);
                  });
  });

  struct RetryFlags {
    std::vector<std::string> ids;
    bool all = false;
    std::string queue, type, user, tag;
  };
  auto r = std::make_shared<RetryFlags>();
  auto* retry = dlq->add_subcommand(
      "retry", "queue dead letters again: the ids given, or with --all every one that matches");
  auto* ids = retry->add_option("ids", r->ids, "dead letters' job ids");
  auto* all = retry->add_flag("--all", r->all, "every dead letter matching the filters");
  ids->excludes(all);
  retry->add_option("-q,--queue", r->queue, "with --all: only this queue");
  retry->add_option("--type", r->type, "with --all: only this type");
  retry->add_option("--user", r->user, "with --all: only this user id");
  retry->add_option("--tag", r->tag, "with --all: only this tag");
  retry->callback([&session, r] {
    if (r->ids.empty() && !r->all) return session.fail(kUsage, "dlq retry: give job ids, or --all");
    if (!r->all && (!r->queue.empty() || !r->type.empty() || !r->user.empty() || !r->tag.empty()))
      return session.fail(kUsage, "dlq retry: --queue, --type, --user and --tag go with --all");
    for (const std::string& id : r->ids) {
      auto job = session.client().retry_dead_letter(id);
      if (!job)
        session.fail("dlq retry " + id, job.error());
      else
        std::printf("%s %s\n", job->id.c_str(), status_text(*job).c_str());
    }
    if (!r->all) return;
    JobFilter filter;
    filter.queue = r->queue;
    filter.type = r->type;
    filter.user_id = r->user;
    filter.tag = r->tag;
    auto jobs = session.client().retry_dead_letters(filter);
    if (!jobs) return session.fail("dlq retry --all", jobs.error());
    for (const Job& j : *jobs) std::printf("%s %s\n", j.id.c_str(), status_text(j).c_str());
    std::fprintf(stderr, "retried %zu dead letters\n", jobs->size());
  });

  auto* purge = dlq->add_subcommand("purge", "delete every dead letter");
  purge->callback([&session] {
    auto purged = session.client().purge_dead_letters();
    if (!purged) return session.fail("dlq purge", purged.error());
    std::printf("purged %lld\n", static_cast<long long>(*purged));
  });
}

}  // namespace jobq::cli
