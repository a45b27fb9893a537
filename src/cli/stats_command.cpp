// stats: counts by status, rates of the last minute, per queue and per type.
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/output.h"

namespace jobq::cli {
namespace {

const char* const kStatuses[] = {"waiting",   "scheduled", "queued",   "running",
                                 "completed", "failed",    "cancelled"};

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string count(const boost::json::value* counts, const char* status) {
  std::string n = counts ? member_text(*counts, status) : "";
  return n.empty() ? "0" : n;
}

const boost::json::value* member(const boost::json::value& v, std::string_view key) {
  return v.is_object() ? v.get_object().if_contains(key) : nullptr;
}

Table types_table() {
  Table types(
      {"TYPE", "QUEUED", "RUNNING", "COMPLETED", "FAILED", "RUNS", "MEAN MS", "P95 MS", "SUCCESS"});
  for (std::size_t i = 1; i < 9; ++i) types.align_right(i);
  return types;
}

// Run figures are null for a type with no finished attempt: shown as "-", not as a 0 that
// would read as instant.
std::string figure(const boost::json::value& entry, std::string_view key) {
  std::string text = member_text(entry, key);
  return text.empty() ? "-" : text;
}

void add_type_row(Table& types, const boost::json::value& entry) {
  const boost::json::value* counts = member(entry, "counts");
  types.add_row({member_text(entry, "type"), count(counts, "queued"), count(counts, "running"),
                 count(counts, "completed"), count(counts, "failed"),
                 figure(entry, "finished_runs"), figure(entry, "mean_run_ms"),
                 figure(entry, "p95_run_ms"), figure(entry, "success_rate")});
}

void print_stats(const boost::json::value& stats) {
  std::string line = "jobs:";
  const boost::json::value* by_status = member(stats, "by_status");
  for (const char* s : kStatuses) line += std::string(" ") + s + " " + count(by_status, s) + ",";
  line.pop_back();
  std::printf("%s\n", line.c_str());
  if (const boost::json::value* m = member(stats, "last_minute"))
    std::printf("last minute: %s completed/s, %s failed/s\n",
                member_text(*m, "completed_per_s").c_str(),
                member_text(*m, "failed_per_s").c_str());

  std::vector<std::string> headers = {"QUEUE"};
  for (const char* s : kStatuses) headers.push_back(upper(s));
  Table queues(headers);
  for (std::size_t i = 1; i < headers.size(); ++i) queues.align_right(i);
  if (const boost::json::value* q = member(stats, "queues"); q && q->is_object())
    for (const auto& [name, counts] : q->get_object()) {
      std::vector<std::string> row = {std::string(name)};
      for (const char* s : kStatuses) row.push_back(count(&counts, s));
      queues.add_row(std::move(row));
    }
  std::printf("\n");
  queues.print(stdout);

  Table types = types_table();
  if (const boost::json::value* t = member(stats, "types"); t && t->is_array())
    for (const auto& entry : t->get_array()) add_type_row(types, entry);
  std::printf("\n");
  types.print(stdout);
}

}  // namespace

void add_stats_command(CLI::App& app, Session& session) {
  struct Flags {
    std::string type;
    bool json = false;
  };
  auto f = std::make_shared<Flags>();
  auto* c = app.add_subcommand("stats", "counts by status, queue and type; last-minute rates");
  c->add_option("type", f->type, "only this job type");
  c->add_flag("--json", f->json, "the answer as JSON");
  c->callback([&session, f] {
    auto answer = f->type.empty() ? session.client().stats() : session.client().type_stats(f->type);
    if (!answer) return session.fail("stats", answer.error());
    if (f->json) return print_json(*answer);
    if (f->type.empty()) return print_stats(*answer);
    Table types = types_table();
    add_type_row(types, *answer);
    types.print(stdout);
  });
}

}  // namespace jobq::cli
