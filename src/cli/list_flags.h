// The filters and paging of `jobq ls` and `jobq dlq ls`, and how a listing prints.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "cli/session.h"
#include "jobq/error.h"
#include "jobq/requests.h"

namespace jobq::cli {

struct ListFlags {
  std::string status;  // comma-separated
  std::string queue, type, user, tag;
  std::string created_after, created_before;
  std::string sort = "created_at";
  std::string order = "desc";
  int limit = 50;
  std::string cursor;
  bool all = false;
  bool json = false;

  void add_to(CLI::App& command, bool with_status);
  Status to_query(JobFilter& filter, ListOptions& options) const;
};

using PageFetch = std::function<ApiResult<JobPage>(const JobFilter&, const ListOptions&)>;

// One page (or every page with --all) as a table, or as JSON with --json. A table that has more
// pages says how to get the next on stderr.
void print_listing(Session& session, const ListFlags& flags, const std::string& what,
                   const PageFetch& fetch);

}  // namespace jobq::cli
