#include "cli/list_flags.h"

#include <boost/json.hpp>
#include <cstdio>

#include "cli/job_flags.h"
#include "cli/output.h"
#include "wire/job_json.h"

namespace jobq::cli {

void ListFlags::add_to(CLI::App& c, bool with_status) {
  if (with_status)
    c.add_option("-s,--status", status, "statuses, comma-separated (queued,running,...)");
  c.add_option("-q,--queue", queue, "only this queue");
  c.add_option("--type", type, "only this job type");
  c.add_option("--user", user, "only this user id");
  c.add_option("--tag", tag, "only jobs with this tag");
  c.add_option("--created-after", created_after, "RFC 3339 or epoch ms (inclusive)");
  c.add_option("--created-before", created_before, "RFC 3339 or epoch ms (exclusive)");
  c.add_option("--sort", sort, "created_at, priority or updated_at")
      ->check(CLI::IsMember({"created_at", "priority", "updated_at"}));
  c.add_option("--order", order, "asc or desc")->check(CLI::IsMember({"asc", "desc"}));
  c.add_option("-n,--limit", limit, "jobs per page (1..1000)")->check(CLI::Range(1, 1000));
  c.add_option("--cursor", cursor, "the next page, from the previous page's next_cursor");
  c.add_flag("--all", all, "every page, not just the first");
  c.add_flag("--json", json, "the answer as JSON: {\"jobs\":[...],\"next_cursor\":...}");
}

Status ListFlags::to_query(JobFilter& filter, ListOptions& options) const {
  for (std::size_t start = 0; start < status.size();) {
    std::size_t comma = std::min(status.find(',', start), status.size());
    std::string name = status.substr(start, comma - start);
    auto s = parse_status(name);
    if (!s)
      return Error::invalid("--status", "unknown status \"" + name +
                                            "\" (waiting, scheduled, queued, running, completed, "
                                            "failed, cancelled)");
    filter.statuses.push_back(*s);
    start = comma + 1;
  }
  filter.queue = queue;
  filter.type = type;
  filter.user_id = user;
  filter.tag = tag;
  if (!created_after.empty()) {
    auto t = parse_instant(created_after, "--created-after");
    if (!t) return t.error();
    filter.created_after = *t;
  }
  if (!created_before.empty()) {
    auto t = parse_instant(created_before, "--created-before");
    if (!t) return t.error();
    filter.created_before = *t;
  }
  options.sort = sort == "priority"     ? SortField::priority
                 : sort == "updated_at" ? SortField::updated_at
                                        : SortField::created_at;
  options.descending = order == "desc";
  options.limit = limit;
  options.cursor = cursor;
  return {};
}

void print_listing(Session& session, const ListFlags& flags, const std::string& what,
                   const PageFetch& fetch) {
  JobFilter filter;
  ListOptions options;
  if (Status s = flags.to_query(filter, options); !s.ok()) return session.fail(s);
  std::vector<Job> jobs;
  std::string next;
  // Bounded: a cursor that never ends would be a server bug, not a reason to loop forever.
  constexpr int kMaxPages = 100'000;
  for (int page = 0; page < kMaxPages; ++page) {
    auto answer = fetch(filter, options);
    if (!answer) return session.fail(what, answer.error());
    for (Job& j : answer->jobs) jobs.push_back(std::move(j));
    next = answer->next_cursor;
    if (!flags.all || next.empty()) break;
    options.cursor = next;
  }
  if (flags.json) {
    boost::json::array list;
    for (const Job& j : jobs) list.push_back(job_to_json(j));
    boost::json::object page{{"jobs", std::move(list)}};
    page["next_cursor"] = next.empty() ? boost::json::value(nullptr) : boost::json::value(next);
    return print_json(page);
  }
  jobs_table(jobs).print(stdout);
  if (!next.empty()) std::fprintf(stderr, "more: --cursor %s (or --all)\n", next.c_str());
}

}  // namespace jobq::cli
