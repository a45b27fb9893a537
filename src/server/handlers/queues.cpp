// Queues: their depth by status, their limits, and pausing and resuming them; and the limits of
// types, which span queues.
#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "core/job_spec.h"
#include "server/api.h"
#include "server/request/body.h"
#include "wire/limits_json.h"

namespace jobq::server {

namespace json = boost::json;

namespace {

// The setting of a scope's limits; none set reads as none().
LimitSetting setting_of(const std::vector<LimitSetting>& all, LimitScope scope,
                        const std::string& name) {
  for (const LimitSetting& s : all)
    if (s.scope == scope && s.name == name) return s;
  return {scope, name, {}};
}

json::object limits_json(const LimitSetting& s) {
  json::object o = limit_setting_to_json(s);
  o.erase("scope");
  o.erase("name");
  return o;
}

json::object queue_json(const std::string& name, const std::vector<std::int64_t>* counts,
                        bool paused, const LimitSetting& limits) {
  json::object c;
  for (int s = 0; s < kJobStatusCount; ++s) c[to_string(JobStatus(s))] = counts ? (*counts)[s] : 0;
  return {{"name", name},
          {"counts", std::move(c)},
          {"paused", paused},
          {"limits", limits_json(limits)}};
}

// Every queue that holds jobs, is paused or has limits, by name.
Result<json::array> queues(Api& api, const std::string* only = nullptr) {
  auto stats = api.engine.stats();
  if (!stats) return stats.error();
  auto paused = api.engine.paused_queues();
  if (!paused) return paused.error();
  auto limits = api.engine.limits();
  if (!limits) return limits.error();
  std::set<std::string> names(paused->begin(), paused->end());
  for (const auto& [name, counts] : stats->by_queue) names.insert(name);
  for (const LimitSetting& l : *limits)
    if (l.scope == LimitScope::queue) names.insert(l.name);
  if (only) names = {*only};
  json::array out;
  for (const auto& name : names) {
    const std::vector<std::int64_t>* counts = nullptr;
    for (const auto& [q, c] : stats->by_queue)
      if (q == name) counts = &c;
    bool is_paused = std::find(paused->begin(), paused->end(), name) != paused->end();
    out.emplace_back(
        queue_json(name, counts, is_paused, setting_of(*limits, LimitScope::queue, name)));
  }
  return out;
}

Reply list_limits(Api& api, const Call&) {
  auto all = api.engine.limits();
  if (!all) return error_reply(all.error());
  json::array out;
  for (const LimitSetting& s : *all) out.emplace_back(limit_setting_to_json(s));
  return json_reply(200, json::object{{"limits", std::move(out)}});
}

// GET, PUT (the whole setting: a part left out is none) and DELETE of one scope's limits.
Reply scope_limits(Api& api, const Call& call, LimitScope scope, const Limits* put) {
  std::string param(to_string(scope));
  const std::string& name = call.param(param);
  if (Status s = check_name(param, name); !s.ok()) return error_reply(s);
  if (put) {
    if (Status s = api.engine.set_limits({scope, name, *put}); !s.ok()) return error_reply(s);
  }
  auto all = api.engine.limits();
  if (!all) return error_reply(all.error());
  return json_reply(200, limit_setting_to_json(setting_of(*all, scope, name)));
}

Reply put_limits(Api& api, const Call& call, LimitScope scope) {
  auto body = body_object(call);
  if (!body) return error_reply(body.error());
  auto limits = limits_from_json(*body);
  if (!limits) return error_reply(limits.error());
  return scope_limits(api, call, scope, &*limits);
}

// The routes of one scope's limits; answer_now takes plain functions, so the scope is a template
// argument.
template <LimitScope scope>
Reply get_limits(Api& api, const Call& call) {
  return scope_limits(api, call, scope, nullptr);
}
template <LimitScope scope>
Reply replace_limits(Api& api, const Call& call) {
  return put_limits(api, call, scope);
}
template <LimitScope scope>
Reply delete_limits(Api& api, const Call& call) {
  Limits none;
  return scope_limits(api, call, scope, &none);
}

template <LimitScope scope>
void add_limit_routes(Router& r, Api& api, const std::string& path) {
  r.add("GET", path, Access::read, answer_now(api, get_limits<scope>));
  r.add("PUT", path, Access::operate, answer_now(api, replace_limits<scope>));
  r.add("DELETE", path, Access::operate, answer_now(api, delete_limits<scope>));
}

Reply list(Api& api, const Call&) {
  auto all = queues(api);
  if (!all) return error_reply(all.error());
  return json_reply(200, json::object{{"queues", std::move(*all)}});
}

Reply set_paused(Api& api, const Call& call, bool paused) {
  const std::string& name = call.param("queue");
  if (Status s = check_name("queue", name); !s.ok()) return error_reply(s);
  Status s = paused ? api.engine.pause_queue(name) : api.engine.resume_queue(name);
  if (!s.ok()) return error_reply(s);
  auto one = queues(api, &name);
  if (!one) return error_reply(one.error());
  return json_reply(200, one->front());
}

}  // namespace

void add_queue_routes(Router& r, Api& api) {
  r.add("GET", "/api/v1/queues", Access::read, answer_now(api, list));
  r.add("POST", "/api/v1/queues/{queue}/pause", Access::operate,
        answer_now(api, [](Api& a, const Call& c) { return set_paused(a, c, true); }));
  r.add("POST", "/api/v1/queues/{queue}/resume", Access::operate,
        answer_now(api, [](Api& a, const Call& c) { return set_paused(a, c, false); }));
  r.add("GET", "/api/v1/limits", Access::read, answer_now(api, list_limits));
  add_limit_routes<LimitScope::queue>(r, api, "/api/v1/queues/{queue}/limits");
  add_limit_routes<LimitScope::type>(r, api, "/api/v1/types/{type}/limits");
}

}  // namespace jobq::server
