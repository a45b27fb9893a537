#include "server/request/list_query.h"

#include <boost/json.hpp>

#include "core/int_text.h"
#include "core/job_json.h"
#include "core/time_format.h"

namespace jobq::server {

namespace json = boost::json;

namespace {

Result<Millis> parse_query_time(std::string_view name, std::string_view text) {
  if (auto t = parse_time(text)) return *t;
  return parse_int(name, text, 0, INT64_MAX / 2);
}

Result<std::vector<JobStatus>> parse_statuses(std::string_view text) {
  std::vector<JobStatus> out;
  while (!text.empty()) {
    auto comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    if (item.empty()) continue;
    auto s = parse_status(item);
    if (!s)
      return Error::invalid("status", "unknown status \"" + std::string(item) +
                                          "\"; use waiting, scheduled, queued, running, "
                                          "completed, failed or cancelled");
    out.push_back(*s);
  }
  return out;
}

}  // namespace

Result<ListQuery> parse_list_query(const Call& call) {
  ListQuery q;
  for (const auto& [name, value] : call.query) {
    if (name == "status") {
      auto s = parse_statuses(value);
      if (!s) return s.error();
      q.filter.statuses = std::move(*s);
    } else if (name == "queue") {
      q.filter.queue = value;
    } else if (name == "type") {
      q.filter.type = value;
    } else if (name == "user_id") {
      q.filter.user_id = value;
    } else if (name == "tag") {
      q.filter.tag = value;
    } else if (name == "created_after" || name == "created_before") {
      auto t = parse_query_time(name, value);
      if (!t) return t.error();
      (name == "created_after" ? q.filter.created_after : q.filter.created_before) = *t;
    } else if (name == "sort") {
      if (value == "created_at")
        q.options.sort = SortField::created_at;
      else if (value == "priority")
        q.options.sort = SortField::priority;
      else if (value == "updated_at")
        q.options.sort = SortField::updated_at;
      else
        return Error::invalid("sort", "must be created_at, priority or updated_at");
    } else if (name == "order") {
      if (value != "asc" && value != "desc") return Error::invalid("order", "must be asc or desc");
      q.options.descending = value == "desc";
    } else if (name == "limit") {
      auto n = parse_int(name, value, 1, 1000);
      if (!n) return n.error();
      q.options.limit = int(*n);
    } else if (name == "cursor") {
      q.options.cursor = value;
    } else if (name == "offset") {
      auto n = parse_int(name, value, 0, kMaxOffset);
      if (!n) return n.error();
      q.offset = std::size_t(*n);
    } else {
      return Error::invalid(name, "unknown query parameter");
    }
  }
  return q;
}

Result<JobPage> run_list(Engine& engine, ListQuery q) {
  int limit = q.options.limit;
  while (q.offset > 0) {
    ListOptions skip = q.options;
    skip.limit = int(std::min<std::size_t>(q.offset, 1000));
    auto page = engine.list(q.filter, skip);
    if (!page) return page.error();
    q.offset -= page->jobs.size();
    if (page->next_cursor.empty()) return JobPage{};
    q.options.cursor = page->next_cursor;
  }
  q.options.limit = limit;
  return engine.list(q.filter, q.options);
}

json::object page_to_json(const JobPage& page) {
  json::array jobs;
  jobs.reserve(page.jobs.size());
  for (const auto& job : page.jobs) jobs.emplace_back(job_to_json(job));
  return {{"jobs", std::move(jobs)},
          {"next_cursor",
           page.next_cursor.empty() ? json::value(nullptr) : json::value(page.next_cursor)}};
}

}  // namespace jobq::server
