// Workers' reports on a leased job: heartbeat/progress, complete, fail, and /ack for many at once.
// Each carries the lease token; a stale token is a 409 and changes nothing.
#include <boost/json.hpp>
#include <mutex>
#include <optional>

#include "core/job_json.h"
#include "core/time_format.h"
#include "server/api.h"
#include "server/field_reader.h"

namespace jobq::server {

namespace json = boost::json;

namespace {

void heartbeat(Api& api, const Call& call, Responder respond) {
  auto body = body_object(call);
  if (!body) return respond(error_reply(body.error()));
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
  if (Status s = in.finish(); !s.ok()) return respond(error_reply(s));
  api.engine.heartbeat_async(call.param("id"), token, p, [respond](Result<HeartbeatReply> reply) {
    respond.build([reply = std::move(reply)] {
      if (!reply) return error_reply(reply.error());
      return json_reply(200,
                        json::object{{"cancel_requested", reply->cancel_requested},
                                     {"soft_timeout_passed", reply->soft_timeout_passed},
                                     {"lease_expires_at", format_time(reply->lease_expires_at)}});
    });
  });
}

// The engine's answer about one job, as the job's JSON, built on the connection's thread.
void answer_job(const Responder& respond, Result<Job> job) {
  respond.build([job = std::move(job)] { return job_reply(job); });
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

void complete(Api& api, const Call& call, Responder respond) {
  auto body = body_object(call);
  if (!body) return respond(error_reply(body.error()));
  std::string token, result;
  FieldReader in(*body);
  in.require("lease_token").read("lease_token", token).read_json("result", result);
  if (Status s = in.finish(); !s.ok()) return respond(error_reply(s));
  api.engine.complete_many_async(
      {{call.param("id"), token, std::move(result)}},
      [respond](Result<std::vector<Result<Job>>> many) {
        answer_job(respond, many ? std::move(many->front()) : Result<Job>(many.error()));
      });
}

void fail(Api& api, const Call& call, Responder respond) {
  auto body = body_object(call);
  if (!body) return respond(error_reply(body.error()));
  FailReport f;
  FieldReader in(*body);
  if (Status s = read_fail(in, f); !s.ok()) return respond(error_reply(s));
  api.engine.fail_async(call.param("id"), f.token, std::move(f.message), std::move(f.traceback),
                        f.retryable, [respond](Result<Job> job) { answer_job(respond, std::move(job)); });
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

// What an /ack collects while its completions and failures are answered, from any thread.
struct AckResults {
  explicit AckResults(Responder r) : respond(std::move(r)) {}
  std::mutex mutex;
  std::vector<std::string> ids;             // in the answer's order: completions, then failures
  std::vector<std::optional<Result<Job>>> results;
  std::optional<Error> batch_error;  // the completions' store write failed
  std::size_t pending = 0;
  Responder respond;
};

// The last answer in builds the reply.
void ack_answered(const std::shared_ptr<AckResults>& acks) {
  {
    std::lock_guard lock(acks->mutex);
    if (--acks->pending > 0) return;
  }
  acks->respond.build([acks] {
    if (acks->batch_error) return error_reply(*acks->batch_error);
    json::array results;
    for (std::size_t i = 0; i < acks->ids.size(); ++i)
      results.emplace_back(outcome_json(acks->ids[i], *acks->results[i]));
    return json_reply(200, json::object{{"results", std::move(results)}});
  });
}

// Many completions (one store commit) and failures in one request; each answered on its own.
void ack(Api& api, const Call& call, Responder respond) {
  auto body = body_object(call);
  if (!body) return respond(error_reply(body.error()));
  for (const auto& item : *body) {
    if (item.key() != "complete" && item.key() != "fail")
      return respond(error_reply(Error::invalid(item.key(), "unknown field")));
    if (!item.value().is_array())
      return respond(error_reply(Error::invalid(item.key(), "must be an array")));
  }
  std::vector<Engine::Completion> completions;
  if (const json::array* items = array_field(*body, "complete")) {
    for (std::size_t i = 0; i < items->size(); ++i) {
      std::string prefix = "complete[" + std::to_string(i) + "].";
      if (!(*items)[i].is_object())
        return respond(
            error_reply(Error::invalid(prefix.substr(0, prefix.size() - 1), "must be an object")));
      Engine::Completion c;
      FieldReader in((*items)[i].get_object(), prefix);
      in.require("id").read("id", c.id).require("lease_token").read("lease_token", c.lease_token);
      in.read_json("result", c.result_json);
      if (Status s = in.finish(); !s.ok()) return respond(error_reply(s));
      completions.push_back(std::move(c));
    }
  }
  std::vector<FailReport> failures;
  if (const json::array* items = array_field(*body, "fail")) {
    for (std::size_t i = 0; i < items->size(); ++i) {
      std::string prefix = "fail[" + std::to_string(i) + "].";
      if (!(*items)[i].is_object())
        return respond(
            error_reply(Error::invalid(prefix.substr(0, prefix.size() - 1), "must be an object")));
      FailReport f;
      FieldReader in((*items)[i].get_object(), prefix);
      in.require("id").read("id", f.id);
      if (Status s = read_fail(in, f); !s.ok()) return respond(error_reply(s));
      failures.push_back(std::move(f));
    }
  }
  auto acks = std::make_shared<AckResults>(std::move(respond));
  for (const auto& c : completions) acks->ids.push_back(c.id);
  for (const auto& f : failures) acks->ids.push_back(f.id);
  acks->results.resize(acks->ids.size());
  // One count for this function itself, so that no early answer builds the reply too soon.
  acks->pending = 1 + (completions.empty() ? 0 : 1) + failures.size();
  if (!completions.empty())
    api.engine.complete_many_async(std::move(completions),
                                   [acks](Result<std::vector<Result<Job>>> done) {
                                     {
                                       std::lock_guard lock(acks->mutex);
                                       if (!done) {
                                         acks->batch_error = done.error();
                                       } else {
                                         for (std::size_t i = 0; i < done->size(); ++i)
                                           acks->results[i] = std::move((*done)[i]);
                                       }
                                     }
                                     ack_answered(acks);
                                   });
  std::size_t first_failure = acks->ids.size() - failures.size();
  for (std::size_t k = 0; k < failures.size(); ++k) {
    FailReport& f = failures[k];
    api.engine.fail_async(f.id, f.token, std::move(f.message), std::move(f.traceback),
                          f.retryable, [acks, at = first_failure + k](Result<Job> job) {
                            {
                              std::lock_guard lock(acks->mutex);
                              acks->results[at] = std::move(job);
                            }
                            ack_answered(acks);
                          });
  }
  ack_answered(acks);
}

}  // namespace

void add_worker_call_routes(Router& r, Api& api) {
  auto bind = [&api](void (*fn)(Api&, const Call&, Responder)) { return answer_later(api, fn); };
  RouteTraits in_place{.never_blocks = true};
  r.add("POST", "/api/v1/jobs/{id}/heartbeat", Access::work, bind(heartbeat), in_place);
  r.add("POST", "/api/v1/jobs/{id}/progress", Access::work, bind(heartbeat), in_place);
  r.add("POST", "/api/v1/jobs/{id}/complete", Access::work, bind(complete), in_place);
  r.add("POST", "/api/v1/jobs/{id}/fail", Access::work, bind(fail), in_place);
  r.add("POST", "/api/v1/ack", Access::work, bind(ack), in_place);
}

}  // namespace jobq::server
