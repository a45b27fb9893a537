// Producers' routes: submit, batch, get, list, change, cancel, delete, retry.
#include <boost/json.hpp>

#include "server/api.h"
#include "server/request/body.h"
#include "server/request/list_query.h"
#include "wire/field_reader.h"
#include "wire/job_json.h"
#include "wire/job_spec_json.h"
#include "wire/json_text.h"
#include "wire/strict_json.h"

namespace jobq::server {

namespace json = boost::json;

namespace {

// A key with a quota tier of its own (api_keys KEY:ROLE/TIER) puts its users' submits in it; a
// job that names another tier is refused rather than moved.
Status apply_key_tier(const Call& call, JobSpec& spec) {
  if (call.tier.empty() || spec.user_id.empty()) return {};
  if (!spec.tier.empty() && spec.tier != call.tier)
    return Error::invalid("tier", "this API key's submits are in tier " + call.tier);
  spec.tier = call.tier;
  return {};
}

void submit(Api& api, const Call& call, Responder respond) {
  auto body = parse_json(call.body, "body");
  if (!body) return respond(error_reply(body.error()));
  auto spec = job_spec_from_json(*body);
  if (spec) {
    if (Status s = apply_key_tier(call, *spec); !s.ok()) spec = s;
  }
  if (!spec) return respond(error_reply(spec.error()));
  api.engine.submit_async(*spec, [respond](Result<SubmitOutcome> outcome) {
    respond.build([outcome = std::move(outcome)] {
      if (!outcome) return error_reply(outcome.error());
      return Reply{outcome->created ? 201 : 200, job_json_text(outcome->job)};
    });
  });
}

void submit_batch(Api& api, const Call& call, Responder respond) {
  auto body = body_object(call);
  if (!body) return respond(error_reply(body.error()));
  const json::value* jobs = body->if_contains("jobs");
  if (!jobs || !jobs->is_array())
    return respond(error_reply(Error::invalid("jobs", "must be an array of jobs")));
  for (const auto& item : *body)
    if (item.key() != "jobs" && item.key() != "answer")
      return respond(error_reply(Error::invalid(item.key(), "unknown field")));
  auto ids_only_read = read_ids_only(*body);
  if (!ids_only_read) return respond(error_reply(ids_only_read.error()));
  bool ids_only = *ids_only_read;
  const json::array& items = jobs->get_array();
  std::vector<JobSpec> specs;
  specs.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto spec = job_spec_from_json(items[i]);
    if (spec) {
      if (Status s = apply_key_tier(call, *spec); !s.ok()) spec = s;
    }
    if (!spec) {
      const Error& e = spec.error();
      std::string field = "jobs[" + std::to_string(i) + "]";
      if (!e.field().empty() && e.field() != "body") field += "." + e.field();
      return respond(error_reply(Error(e.code(), e.message(), field)));
    }
    specs.push_back(std::move(*spec));
  }
  api.engine.submit_batch_async(specs,
                                [respond, ids_only](Result<std::vector<SubmitOutcome>> outcomes) {
                                  respond.build([outcomes = std::move(outcomes), ids_only] {
                                    if (!outcomes) return error_reply(outcomes.error());
                                    Reply reply{201, {}};
                                    JsonText out(reply.body);
                                    out.begin_object().key(ids_only ? "ids" : "jobs").begin_array();
                                    for (const auto& o : *outcomes) {
                                      if (ids_only)
                                        out.string(o.job.id);
                                      else
                                        write_job(out, o.job);
                                    }
                                    out.end_array().end_object();
                                    return reply;
                                  });
                                });
}

Reply list(Api& api, const Call& call) {
  auto query = parse_list_query(call);
  if (!query) return error_reply(query.error());
  auto page = run_list(api.engine, std::move(*query));
  if (!page) return error_reply(page.error());
  return json_reply(200, page_to_json(*page));
}

Reply patch(Api& api, const Call& call) {
  auto body = body_object(call);
  if (!body) return error_reply(body.error());
  FieldReader in(*body);
  std::optional<int> priority;
  std::optional<std::int64_t> delay_ms;
  std::optional<Millis> run_at;
  in.read("priority", priority, priority_from_json)
      .read_time("run_at", run_at)
      .read("delay_ms", delay_ms)
      .check(!(run_at && delay_ms), "delay_ms", "give delay_ms or run_at, not both")
      .check(!delay_ms || *delay_ms >= 0, "delay_ms", "must be >= 0");
  // Unknown fields first, so that {"type":"x"} is told that `type` cannot change.
  if (Status s = in.finish(); !s.ok()) return error_reply(s);
  if (!priority && !run_at && !delay_ms)
    return error_reply(Error::invalid("body", "give priority, run_at or delay_ms"));
  // delay_ms is the wire's way to say run_at; the engine sees only run_at.
  if (delay_ms) run_at = api.engine.clock().now() + *delay_ms;
  return job_reply(api.engine.update(call.param("id"), priority, run_at));
}

Reply get(Api& api, const Call& call) {
  return job_reply(api.engine.get(call.param("id")));
}

Reply cancel(Api& api, const Call& call) {
  return job_reply(api.engine.cancel(call.param("id")));
}

Reply retry(Api& api, const Call& call) {
  return job_reply(api.engine.retry(call.param("id")));
}

Reply remove(Api& api, const Call& call) {
  const std::string& id = call.param("id");
  auto job = api.engine.get(id);
  if (!job) return error_reply(job.error());
  if (is_active(job->status)) return job_reply(api.engine.cancel(id));
  auto removed = api.engine.remove(id);
  if (!removed) return error_reply(removed.error());
  return no_content();
}

}  // namespace

void add_job_routes(Router& r, Api& api) {
  r.add("POST", "/api/v1/jobs", Access::produce, answer_later(api, submit), {.never_blocks = true});
  r.add("POST", "/api/v1/jobs/batch", Access::produce, answer_later(api, submit_batch),
        {.never_blocks = true});
  r.add("GET", "/api/v1/jobs", Access::read, answer_now(api, list));
  r.add("GET", "/api/v1/jobs/{id}", Access::read, answer_now(api, get));
  r.add("PATCH", "/api/v1/jobs/{id}", Access::produce, answer_now(api, patch));
  r.add("DELETE", "/api/v1/jobs/{id}", Access::produce, answer_now(api, remove));
  r.add("POST", "/api/v1/jobs/{id}/cancel", Access::produce, answer_now(api, cancel));
  r.add("POST", "/api/v1/jobs/{id}/retry", Access::produce, answer_now(api, retry));
}

}  // namespace jobq::server
