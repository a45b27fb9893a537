// The query string of a job listing (?status=&queue=&...&limit=&cursor=&offset=) and its answer.
#pragma once

#include <boost/json/object.hpp>

#include "jobq/engine.h"
#include "server/request/call.h"

namespace jobq::server {

struct ListQuery {
  JobFilter filter;
  ListOptions options;
  std::size_t offset = 0;  // rows skipped before the page, for clients without cursors
};

inline constexpr std::size_t kMaxOffset = 100'000;

// Unknown parameters are refused, naming them, so that a typo does not silently list everything.
Result<ListQuery> parse_list_query(const Call& call);

// Runs the listing, honouring offset by skipping pages.
Result<JobPage> run_list(Engine& engine, ListQuery query);

boost::json::object page_to_json(const JobPage& page);

}  // namespace jobq::server
