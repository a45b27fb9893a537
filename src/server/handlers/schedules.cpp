// Cron schedules: create, read, change, delete, pause, resume, trigger.
#include <boost/json.hpp>

#include "server/api.h"
#include "server/request/body.h"
#include "wire/job_json.h"
#include "wire/schedule_json.h"

namespace jobq::server {

namespace json = boost::json;

namespace {

Reply schedule_reply(const Result<Schedule>& s, int status = 200) {
  if (!s) return error_reply(s.error());
  return json_reply(status, schedule_to_json(*s));
}

Reply list(Api& api, const Call&) {
  auto all = api.engine.list_schedules();
  if (!all) return error_reply(all.error());
  json::array out;
  for (const Schedule& s : *all) out.emplace_back(schedule_to_json(s));
  return json_reply(200, json::object{{"schedules", std::move(out)}});
}

Reply create(Api& api, const Call& call) {
  auto body = body_object(call);
  if (!body) return error_reply(body.error());
  auto spec = schedule_spec_from_json(*body);
  if (!spec) return error_reply(spec.error());
  return schedule_reply(api.engine.create_schedule(*spec), 201);
}

Reply get(Api& api, const Call& call) {
  return schedule_reply(api.engine.get_schedule(call.param("name")));
}

Reply patch(Api& api, const Call& call) {
  auto body = body_object(call);
  if (!body) return error_reply(body.error());
  auto changes = schedule_patch_from_json(*body);
  if (!changes) return error_reply(changes.error());
  return schedule_reply(api.engine.update_schedule(call.param("name"), *changes));
}

Reply remove(Api& api, const Call& call) {
  return schedule_reply(api.engine.delete_schedule(call.param("name")));
}

Reply set_paused(Api& api, const Call& call, bool paused) {
  SchedulePatch change;
  change.paused = paused;
  return schedule_reply(api.engine.update_schedule(call.param("name"), change));
}

Reply trigger(Api& api, const Call& call) {
  auto run = api.engine.trigger_schedule(call.param("name"));
  if (!run) return error_reply(run.error());
  return job_reply(run->job, 201);
}

}  // namespace

void add_schedule_routes(Router& r, Api& api) {
  r.add("GET", "/api/v1/schedules", Access::read, answer_now(api, list));
  r.add("POST", "/api/v1/schedules", Access::operate, answer_now(api, create));
  r.add("GET", "/api/v1/schedules/{name}", Access::read, answer_now(api, get));
  r.add("PATCH", "/api/v1/schedules/{name}", Access::operate, answer_now(api, patch));
  r.add("DELETE", "/api/v1/schedules/{name}", Access::operate, answer_now(api, remove));
  r.add("POST", "/api/v1/schedules/{name}/pause", Access::operate,
        answer_now(api, [](Api& a, const Call& c) { return set_paused(a, c, true); }));
  r.add("POST", "/api/v1/schedules/{name}/resume", Access::operate,
        answer_now(api, [](Api& a, const Call& c) { return set_paused(a, c, false); }));
  r.add("POST", "/api/v1/schedules/{name}/trigger", Access::operate, answer_now(api, trigger));
}

}  // namespace jobq::server
