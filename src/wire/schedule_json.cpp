#include "wire/schedule_json.h"

#include <boost/json.hpp>

#include "core/time_format.h"
#include "wire/field_reader.h"
#include "wire/job_spec_json.h"
#include "wire/json_values.h"

namespace jobq {

namespace json = boost::json;

namespace {

Result<JobSpec> template_from_json(const json::value& v, std::string_view field) {
  if (!v.is_object()) return Error::invalid(std::string(field), "must be a JSON object (a job)");
  auto spec = job_spec_from_json(v);
  if (!spec) return spec.error().within(std::string(field));
  if (!spec->tier.empty())
    return Error::invalid(std::string(field) + ".tier",
                          "a schedule's runs take no user's quota; leave tier out");
  return spec;
}

Result<Overlap> overlap_from_json(const json::value& v, std::string_view field) {
  auto text = as_string(v, field);
  if (!text) return text.error();
  if (auto o = overlap_from_string(*text)) return *o;
  return Error::invalid(std::string(field), "must be allow, skip or cancel_previous");
}

Result<Misfire> misfire_from_json(const json::value& v, std::string_view field) {
  auto text = as_string(v, field);
  if (!text) return text.error();
  if (auto m = misfire_from_string(*text)) return *m;
  return Error::invalid(std::string(field), "must be skip, run_once or run_all");
}

Result<int> limit_from_json(const json::value& v, std::string_view field) {
  auto n = as_int(v, field);
  if (!n) return n.error();
  if (*n < INT32_MIN || *n > INT32_MAX)
    return Error::invalid(std::string(field), "is out of range");
  return int(*n);
}

Status refuse_nulls(const json::value& v) {
  for (const auto& [key, value] : v.get_object())
    if (value.is_null()) return Error::invalid(std::string(key), "must not be null");
  return {};
}

json::value time_or_null(Millis t) {
  return t > 0 ? json::value(format_time(t)) : json::value();
}

}  // namespace

Result<ScheduleSpec> schedule_spec_from_json(const json::value& v) {
  if (!v.is_object()) return Error::invalid("body", "a schedule must be a JSON object");
  if (Status s = refuse_nulls(v); !s.ok()) return s;
  ScheduleSpec s;
  FieldReader in(v.get_object());
  in.require("name")
      .require("cron")
      .require("job")
      .read("name", s.name)
      .read("cron", s.cron)
      .read("timezone", s.timezone)
      .read("job", s.job, template_from_json)
      .read("overlap", s.overlap, overlap_from_json)
      .read("misfire", s.misfire, misfire_from_json)
      .read("misfire_limit", s.misfire_limit, limit_from_json)
      .read("paused", s.paused);
  if (Status st = in.finish(); !st.ok()) return st;
  return s;
}

Result<SchedulePatch> schedule_patch_from_json(const json::value& v) {
  if (!v.is_object()) return Error::invalid("body", "a schedule's changes must be a JSON object");
  if (v.get_object().contains("name"))
    return Error::invalid("name", "a schedule's name cannot change: create another");
  if (Status s = refuse_nulls(v); !s.ok()) return s;
  SchedulePatch p;
  FieldReader in(v.get_object());
  in.read("cron", p.cron)
      .read("timezone", p.timezone)
      .read("job", p.job, template_from_json)
      .read("overlap", p.overlap, overlap_from_json)
      .read("misfire", p.misfire, misfire_from_json)
      .read("misfire_limit", p.misfire_limit, limit_from_json)
      .read("paused", p.paused, as_bool);
  if (Status st = in.finish(); !st.ok()) return st;
  return p;
}

json::object schedule_spec_to_json(const ScheduleSpec& spec) {
  json::object o;
  o["name"] = spec.name;
  o["cron"] = spec.cron;
  o["timezone"] = spec.timezone;
  auto job = job_spec_to_json(spec.job);
  o["job"] = job ? json::value(std::move(*job)) : json::value();
  o["overlap"] = to_string(spec.overlap);
  o["misfire"] = to_string(spec.misfire);
  o["misfire_limit"] = spec.misfire_limit;
  o["paused"] = spec.paused;
  return o;
}

json::object schedule_to_json(const Schedule& s) {
  json::object o = schedule_spec_to_json(s.spec);
  o["next_run_at"] = time_or_null(s.next_run_at);
  o["last_run_at"] = time_or_null(s.last_run_at);
  o["last_job_id"] = s.last_job_id.empty() ? json::value() : json::value(s.last_job_id);
  o["created_at"] = time_or_null(s.created_at);
  o["updated_at"] = time_or_null(s.updated_at);
  return o;
}

Result<Schedule> schedule_from_json(const json::value& v) {
  if (!v.is_object()) return Error::invalid("schedule", "must be a JSON object");
  Schedule s;
  FieldReader in(v.get_object());
  in.read("name", s.spec.name)
      .read("cron", s.spec.cron)
      .read("timezone", s.spec.timezone)
      .read("job", s.spec.job, template_from_json)
      .read("overlap", s.spec.overlap, overlap_from_json)
      .read("misfire", s.spec.misfire, misfire_from_json)
      .read("misfire_limit", s.spec.misfire_limit, limit_from_json)
      .read("paused", s.spec.paused)
      .read_time("next_run_at", s.next_run_at)
      .read_time("last_run_at", s.last_run_at)
      .read("last_job_id", s.last_job_id)
      .read_time("created_at", s.created_at)
      .read_time("updated_at", s.updated_at);
  if (Status st = in.status(); !st.ok()) return st;
  return s;
}

}  // namespace jobq
