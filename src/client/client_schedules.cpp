// The cron schedules' calls: each answer read back into a Schedule.
#include <boost/json.hpp>

#include "client/client_calls.h"
#include "wire/schedule_json.h"

namespace jobq {

namespace json = boost::json;

namespace {

std::string schedule_path(const std::string& name, std::string_view tail = {}) {
  return "/api/v1/schedules/" + encode(name) + std::string(tail);
}

ApiResult<Schedule> schedule_answer(const ApiResult<json::value>& answer) {
  if (!answer) return answer.error();
  auto s = schedule_from_json(*answer);
  if (!s) return bad_answer("schedule", s.error());
  return std::move(*s);
}

}  // namespace

ApiResult<Schedule> Client::create_schedule(const ScheduleSpec& spec) {
  return schedule_answer(
      call("POST", "/api/v1/schedules", json::value(schedule_spec_to_json(spec))));
}

ApiResult<std::vector<Schedule>> Client::schedules() {
  auto answer = call("GET", "/api/v1/schedules");
  if (!answer) return answer.error();
  const json::value* list =
      answer->is_object() ? answer->get_object().if_contains("schedules") : nullptr;
  if (!list || !list->is_array())
    return bad_answer("schedules", Error::invalid("schedules", "is not a list"));
  std::vector<Schedule> out;
  for (const json::value& v : list->get_array()) {
    auto s = schedule_from_json(v);
    if (!s) return bad_answer("schedules", s.error());
    out.push_back(std::move(*s));
  }
  return out;
}

ApiResult<Schedule> Client::schedule(const std::string& name) {
  return schedule_answer(call("GET", schedule_path(name)));
}

ApiResult<Schedule> Client::update_schedule(const std::string& name, const json::object& changes) {
  return schedule_answer(call("PATCH", schedule_path(name), json::value(changes)));
}

ApiResult<Schedule> Client::pause_schedule(const std::string& name) {
  return schedule_answer(call("POST", schedule_path(name, "/pause")));
}

ApiResult<Schedule> Client::resume_schedule(const std::string& name) {
  return schedule_answer(call("POST", schedule_path(name, "/resume")));
}

ApiResult<Schedule> Client::delete_schedule(const std::string& name) {
  return schedule_answer(call("DELETE", schedule_path(name)));
}

ApiResult<Job> Client::trigger_schedule(const std::string& name) {
  return job_answer(call("POST", schedule_path(name, "/trigger")));
}

}  // namespace jobq
