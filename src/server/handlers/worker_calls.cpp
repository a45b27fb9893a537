// Workers' reports on one leased job: heartbeat/progress, complete, fail, release (handlers/ack.cpp
// has those on many). Each carries the lease token; a stale token is a 409 and changes nothing.
#include <boost/json.hpp>

#include "core/job_json.h"
#include "core/time_format.h"
#include "server/api.h"
#include "server/request/field_reader.h"
#include "server/handlers/report_fields.h"

namespace jobq::server {

namespace json = boost::json;

void read_heartbeat(FieldReader& in, std::string& token, Progress& p) {
  in.require("lease_token")
      .read("lease_token", token)
      .read("progress", p.progress)
      .read("progress_message", p.message)
      .read("stage", p.stage)
      .read("processed_items", p.processed_items)
      .read("total_items", p.total_items);
}

json::object heartbeat_json(const HeartbeatReply& r) {
  return {{"cancel_requested", r.cancel_requested},
          {"soft_timeout_passed", r.soft_timeout_passed},
          {"lease_expires_at", format_time(r.lease_expires_at)}};
}

void read_fail(FieldReader& in, FailEntry& f) {
  in.require("lease_token")
      .read("lease_token", f.token)
      .require("error")
      .read("error", f.report.message)
      .read("traceback", f.report.traceback)
      .read("retryable", f.report.retryable)
      .read("retry_in_ms", f.report.retry_in_ms)
      .read("count_attempt", f.report.count_attempt);
}

namespace {

void heartbeat(Api& api, const Call& call, Responder respond) {
  auto body = body_object(call);
  if (!body) return respond(error_reply(body.error()));
  std::string token;
  Progress p;
  FieldReader in(*body);
  read_heartbeat(in, token, p);
  if (Status s = in.finish(); !s.ok()) return respond(error_reply(s));
  api.engine.heartbeat_async(call.param("id"), token, p, [respond](Result<HeartbeatReply> reply) {
    respond.build([reply = std::move(reply)] {
      if (!reply) return error_reply(reply.error());
      return json_reply(200, heartbeat_json(*reply));
    });
  });
}

// The engine's answer about one job, as the job's JSON, built on the connection's thread.
void answer_job(const Responder& respond, Result<Job> job) {
  respond.build([job = std::move(job)] { return job_reply(job); });
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
  FailEntry f;
  FieldReader in(*body);
  read_fail(in, f);
  if (Status s = in.finish(); !s.ok()) return respond(error_reply(s));
  api.engine.fail_async(call.param("id"), f.token, std::move(f.report),
                        [respond](Result<Job> job) { answer_job(respond, std::move(job)); });
}

void release(Api& api, const Call& call, Responder respond) {
  auto body = body_object(call);
  if (!body) return respond(error_reply(body.error()));
  std::string token;
  FieldReader in(*body);
  in.require("lease_token").read("lease_token", token);
  if (Status s = in.finish(); !s.ok()) return respond(error_reply(s));
  api.engine.release_async(call.param("id"), token,
                           [respond](Result<Job> job) { answer_job(respond, std::move(job)); });
}

}  // namespace

void add_worker_call_routes(Router& r, Api& api) {
  RouteTraits in_place{.never_blocks = true};
  r.add("POST", "/api/v1/jobs/{id}/heartbeat", Access::work, answer_later(api, heartbeat),
        in_place);
  r.add("POST", "/api/v1/jobs/{id}/progress", Access::work, answer_later(api, heartbeat), in_place);
  r.add("POST", "/api/v1/jobs/{id}/complete", Access::work, answer_later(api, complete), in_place);
  r.add("POST", "/api/v1/jobs/{id}/fail", Access::work, answer_later(api, fail), in_place);
  r.add("POST", "/api/v1/jobs/{id}/release", Access::work, answer_later(api, release), in_place);
}

}  // namespace jobq::server
