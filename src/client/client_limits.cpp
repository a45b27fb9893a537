// The limits' calls: each answer read back into a LimitSetting (wire/limits_json.h).
#include <boost/json.hpp>

#include "client/client_calls.h"
#include "wire/limits_json.h"

namespace jobq {

namespace json = boost::json;

namespace {

std::string limits_path(LimitScope scope, const std::string& name) {
  return std::string(scope == LimitScope::queue ? "/api/v1/queues/" : "/api/v1/types/") +
         encode(name) + "/limits";
}

ApiResult<LimitSetting> setting_answer(const ApiResult<json::value>& answer) {
  if (!answer) return answer.error();
  auto s = limit_setting_from_json(*answer);
  if (!s) return bad_answer("limits", s.error());
  return std::move(*s);
}

// The body of a PUT: the setting's JSON without its scope and name. A rate that is not all zeros
// is sent as given, so that the server judges it (the setting's JSON leaves out a count under 1).
json::object limits_body(const Limits& limits) {
  json::object body = limit_setting_to_json({LimitScope::queue, {}, limits});
  body.erase("scope");
  body.erase("name");
  if (limits.starts != Rate{})
    body["starts"] =
        json::object{{"count", limits.starts.count}, {"period_ms", limits.starts.period_ms}};
  return body;
}

}  // namespace

ApiResult<std::vector<LimitSetting>> Client::limits() {
  auto answer = call("GET", "/api/v1/limits");
  if (!answer) return answer.error();
  const json::value* list =
      answer->is_object() ? answer->get_object().if_contains("limits") : nullptr;
  if (!list || !list->is_array())
    return bad_answer("limits", Error::invalid("limits", "is not a list"));
  std::vector<LimitSetting> out;
  for (const json::value& v : list->get_array()) {
    auto s = limit_setting_from_json(v);
    if (!s) return bad_answer("limits", s.error());
    out.push_back(std::move(*s));
  }
  return out;
}

ApiResult<LimitSetting> Client::limits(LimitScope scope, const std::string& name) {
  return setting_answer(call("GET", limits_path(scope, name)));
}

ApiResult<LimitSetting> Client::set_limits(LimitScope scope, const std::string& name,
                                           const Limits& limits) {
  return setting_answer(call("PUT", limits_path(scope, name), json::value(limits_body(limits))));
}

ApiResult<LimitSetting> Client::clear_limits(LimitScope scope, const std::string& name) {
  return setting_answer(call("DELETE", limits_path(scope, name)));
}

}  // namespace jobq
