// Workers announce themselves with beats and get their orders back; operators list, scale, quiet
// and stop them.
#include <boost/json.hpp>

#include "core/time_format.h"
#include "server/api.h"
#include "server/request/body.h"
#include "wire/field_reader.h"
#include "wire/job_json.h"

namespace jobq::server {

namespace json = boost::json;

namespace {

json::object worker_json(const WorkerRecord& w) {
  return {{"id", w.beat.id},
          {"host", w.beat.host},
          {"pid", w.beat.pid},
          {"version", w.beat.version},
          {"types", strings_to_json(w.beat.types)},
          {"queues", strings_to_json(w.beat.queues)},
          {"concurrency", w.concurrency},
          {"running", w.beat.running},
          {"state", w.state()},
          {"first_seen_at", format_time(w.first_seen_at)},
          {"last_beat_at", format_time(w.last_beat_at)}};
}

Reply worker_reply(const Result<WorkerRecord>& w) {
  if (!w) return error_reply(w.error());
  return json_reply(200, worker_json(*w));
}

Reply beat(Api& api, const Call& call) {
  auto body = body_object(call);
  if (!body) return error_reply(body.error());
  WorkerBeat b;
  b.id = call.param("id");
  FieldReader in(*body);
  read_beat(in, b)
      .check(b.concurrency >= 1 && b.concurrency <= 10'000, "concurrency",
             "must be from 1 to 10000")
      .check(b.running >= 0, "running", "must be >= 0")
      .check(b.id.size() <= 256, "id", "must be at most 256 characters");
  if (Status s = in.finish(); !s.ok()) return error_reply(s);
  auto w = api.workers.beat(std::move(b));
  if (!w) return error_reply(w.error());
  return json_reply(
      200, json::object{{"command", to_string(w->command)}, {"concurrency", w->concurrency}});
}

Reply list(Api& api, const Call&) {
  auto workers = api.workers.list();
  if (!workers) return error_reply(workers.error());
  json::array out;
  for (const WorkerRecord& w : *workers) out.emplace_back(worker_json(w));
  return json_reply(200, json::object{{"workers", std::move(out)}});
}

Reply scale(Api& api, const Call& call) {
  auto body = body_object(call);
  if (!body) return error_reply(body.error());
  int concurrency = 0;
  FieldReader in(*body);
  in.require("concurrency")
      .read("concurrency", concurrency)
      .check(concurrency >= 1 && concurrency <= 10'000, "concurrency", "must be from 1 to 10000");
  if (Status s = in.finish(); !s.ok()) return error_reply(s);
  return worker_reply(api.workers.scale(call.param("id"), concurrency));
}

Reply quiet(Api& api, const Call& call) {
  return worker_reply(api.workers.command(call.param("id"), WorkerCommand::quiet));
}

Reply stop(Api& api, const Call& call) {
  return worker_reply(api.workers.command(call.param("id"), WorkerCommand::stop));
}

}  // namespace

void add_worker_routes(Router& r, Api& api) {
  r.add("GET", "/api/v1/workers", Access::read, answer_now(api, list));
  r.add("POST", "/api/v1/workers/{id}/beat", Access::work, answer_now(api, beat));
  r.add("POST", "/api/v1/workers/{id}/scale", Access::operate, answer_now(api, scale));
  r.add("POST", "/api/v1/workers/{id}/quiet", Access::operate, answer_now(api, quiet));
  r.add("POST", "/api/v1/workers/{id}/stop", Access::operate, answer_now(api, stop));
}

}  // namespace jobq::server
