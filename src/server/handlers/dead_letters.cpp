// Operators' routes for the dead-letter list: the failed jobs with no attempts left.
#include <boost/json.hpp>

#include "core/job_json.h"
#include "server/api.h"
#include "server/request/field_reader.h"
#include "server/request/list_query.h"

namespace jobq::server {

namespace json = boost::json;

namespace {

Reply list(Api& api, const Call& call) {
  auto query = parse_list_query(call);
  if (!query) return error_reply(query.error());
  if (!query->filter.statuses.empty())
    return error_reply(Error::invalid("status", "dead letters are the failed jobs"));
  query->filter.statuses = {JobStatus::failed};
  auto page = run_list(api.engine, std::move(*query));
  if (!page) return error_reply(page.error());
  return json_reply(200, page_to_json(*page));
}

Reply retry_one(Api& api, const Call& call) {
  const std::string& id = call.param("id");
  auto job = api.engine.get(id);
  if (!job) return error_reply(job.error());
  if (job->status != JobStatus::failed)
    return error_reply(Error::conflict("job " + id + " is " + std::string(to_string(job->status)) +
                                       ", not in the dead-letter list"));
  auto retried = api.engine.retry(id);
  if (!retried) return error_reply(retried.error());
  return json_reply(200, job_to_json(*retried));
}

Reply retry_matching(Api& api, const Call& call) {
  auto body = body_object(call);
  if (!body) return error_reply(body.error());
  JobFilter filter;
  FieldReader in(*body);
  in.read("queue", filter.queue)
      .read("type", filter.type)
      .read("user_id", filter.user_id)
      .read("tag", filter.tag);
  if (Status s = in.finish(); !s.ok()) return error_reply(s);
  filter.statuses = {JobStatus::failed};
  auto retried = api.engine.retry_where(filter);
  if (!retried) return error_reply(retried.error());
  json::array jobs;
  for (const Job& job : *retried) jobs.emplace_back(job_to_json(job));
  return json_reply(200, json::object{{"jobs", std::move(jobs)}});
}

Reply purge(Api& api, const Call&) {
  // Everything that failed up to now, this millisecond included.
  auto purged = api.engine.purge(api.engine.clock().now() + 1, {JobStatus::failed});
  if (!purged) return error_reply(purged.error());
  return json_reply(200, json::object{{"purged", *purged}});
}

}  // namespace

void add_dead_letter_routes(Router& r, Api& api) {
  r.add("GET", "/api/v1/dead-letters", Access::read, answer_now(api, list));
  r.add("POST", "/api/v1/dead-letters/retry", Access::operate, answer_now(api, retry_matching));
  r.add("DELETE", "/api/v1/dead-letters", Access::operate, answer_now(api, purge));
  r.add("POST", "/api/v1/dead-letters/{id}/retry", Access::operate, answer_now(api, retry_one));
}

}  // namespace jobq::server
