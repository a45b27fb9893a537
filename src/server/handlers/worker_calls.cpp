// Workers' reports on a leased job: heartbeat/progress, complete, fail, and /ack for many at once.
// Each carries the lease token; a stale token is a 409 and changes nothing.
#include <boost/json.hpp>

#include "core/job_json.h"
#include "core/time_format.h"
#include "server/api.h"
#include "server/field_reader.h"

namespace jobq::server {

namespace json = boost::json;

namespace {

Reply heartbeat(Api& api, const Call& call) {
  auto body = body_object(call);
  if (!body) return error_reply(body.error());
  std::string token;
  Progress p;
  FieldReader in(*body);
  in.require("lease_token")
      .read("lease_token", token)
      .read("progress", p.progress)
      .read("progress_message", p.message)
      .read("stage", p.stage)
      .read("processed_items", p.processed_items)
      .read("total_items", p.total_items);
  if (Status s = in.finish(); !s.ok()) return error_reply(s);
  auto reply = api.engine.heartbeat(call.param("id"), token, p);
  if (!reply) return error_reply(reply.error());
  return json_reply(200, json::object{{"cancel_requested", reply->cancel_requested},
                                      {"soft_timeout_passed", reply->soft_timeout_passed},
                                      {"lease_expires_at", format_time(reply->lease_expires_at)}});
}

struct FailReport {
  std::string id, token, message, traceback;
  bool retryable = true;
};

Status read_fail(FieldReader& in, FailReport& f) {
  in.require("lease_token")
      .read("lease_token", f.token)
      .require("error")
      .read("error", f.message)
      .read("traceback", f.traceback)
      .read("retryable", f.retryable);
  return in.finish();
}

Reply complete(Api& api, const Call& call) {
  auto body = body_object(call);
  if (!body) return error_reply(body.error());
  std::string token, result;
  FieldReader in(*body);
  in.require("lease_token").read("lease_token", token).read_json("result", result);
  if (Status s = in.finish(); !s.ok()) return error_reply(s);
  return job_reply(api.engine.complete(call.param("id"), token, std::move(result)));
}

Reply fail(Api& api, const Call& call) {
  auto body = body_object(call);
  if (!body) return error_reply(body.error());
  FailReport f;
  FieldReader in(*body);
  if (Status s = read_fail(in, f); !s.ok()) return error_reply(s);
  return job_reply(api.engine.fail(call.param("id"), f.token, std::move(f.message),
                                   std::move(f.traceback), f.retryable));
}

json::object outcome_json(const std::string& id, const Result<Job>& job) {
  if (job) return {{"id", id}, {"ok", true}, {"job", job_to_json(*job)}};
  return {{"id", id},
          {"ok", false},
          {"error", json::object{{"code", to_string(job.error().code())},
                                 {"message", job.error().message()}}}};
}

const json::array* array_field(const json::object& body, std::string_view key) {
  const json::value* v = body.if_contains(key);
  return v && v->is_array() ? &v->get_array() : nullptr;
}

// Many completions (one store commit) and failures in one request; each answered on its own.
Reply ack(Api& api, const Call& call) {
  auto body = body_object(call);
  if (!body) return error_reply(body.error());
  for (const auto& item : *body) {
    if (item.key() != "complete" && item.key() != "fail")
      return error_reply(Error::invalid(item.key(), "unknown field"));
    if (!item.value().is_array())
      return error_reply(Error::invalid(item.key(), "must be an array"));
  }
  std::vector<Engine::Completion> completions;
  if (const json::array* items = array_field(*body, "complete")) {
    for (std::size_t i = 0; i < items->size(); ++i) {
      std::string prefix = "complete[" + std::to_string(i) + "].";
      if (!(*items)[i].is_object())
        return error_reply(
            Error::invalid(prefix.substr(0, prefix.size() - 1), "must be an object"));
      Engine::Completion c;
      FieldReader in((*items)[i].get_object(), prefix);
      in.require("id").read("id", c.id).require("lease_token").read("lease_token", c.lease_token);
      in.read_json("result", c.result_json);
      if (Status s = in.finish(); !s.ok()) return error_reply(s);
      completions.push_back(std::move(c));
    }
  }
  std::vector<FailReport> failures;
  if (const json::array* items = array_field(*body, "fail")) {
    for (std::size_t i = 0; i < items->size(); ++i) {
      std::string prefix = "fail[" + std::to_string(i) + "].";
      if (!(*items)[i].is_object())
        return error_reply(
            Error::invalid(prefix.substr(0, prefix.size() - 1), "must be an object"));
      FailReport f;
      FieldReader in((*items)[i].get_object(), prefix);
      in.require("id").read("id", f.id);
      if (Status s = read_fail(in, f); !s.ok()) return error_reply(s);
      failures.push_back(std::move(f));
    }
  }
  json::array results;
  if (!completions.empty()) {
    std::vector<std::string> ids;
    for (const auto& c : completions) ids.push_back(c.id);
    auto done = api.engine.complete_many(std::move(completions));
    if (!done) return error_reply(done.error());
    for (std::size_t i = 0; i < ids.size(); ++i)
      results.emplace_back(outcome_json(ids[i], (*done)[i]));
  }
  for (auto& f : failures)
    results.emplace_back(outcome_json(f.id, api.engine.fail(f.id, f.token, std::move(f.message),
                                                            std::move(f.traceback), f.retryable)));
  return json_reply(200, json::object{{"results", std::move(results)}});
}

}  // namespace

void add_worker_call_routes(Router& r, Api& api) {
  auto bind = [&api](Reply (*fn)(Api&, const Call&)) { return answer_now(api, fn); };
  r.add("POST", "/api/v1/jobs/{id}/heartbeat", Access::work, bind(heartbeat));
  r.add("POST", "/api/v1/jobs/{id}/progress", Access::work, bind(heartbeat));
  r.add("POST", "/api/v1/jobs/{id}/complete", Access::work, bind(complete));
  r.add("POST", "/api/v1/jobs/{id}/fail", Access::work, bind(fail));
  r.add("POST", "/api/v1/ack", Access::work, bind(ack));
}

}  // namespace jobq::server
