#include "wire/limits_json.h"

#include <boost/json.hpp>

#include "wire/field_reader.h"

namespace jobq {

namespace json = boost::json;

json::object limit_setting_to_json(const LimitSetting& s) {
  json::value starts = nullptr;
  if (s.limits.starts.count > 0)
    starts =
        json::object{{"count", s.limits.starts.count}, {"period_ms", s.limits.starts.period_ms}};
  return {{"scope", to_string(s.scope)},
          {"name", s.name},
          {"max_running", s.limits.max_running},
          {"starts", std::move(starts)}};
}

namespace {

void read_limits(FieldReader& in, Limits& l, UnknownFields unknown) {
  in.read("max_running", l.max_running)
      .read("starts", l.starts,
            [unknown](const json::value& v, std::string_view field) -> Result<Rate> {
              if (!v.is_object()) return Error::invalid(std::string(field), "must be an object");
              Rate r;
              FieldReader rate(v.get_object(), std::string(field) + ".");
              rate.read("count", r.count).read("period_ms", r.period_ms);
              if (unknown == UnknownFields::refused) {
                rate.require("count").require("period_ms");
                if (Status s = rate.finish(); !s.ok()) return s;
              } else if (Status s = rate.status(); !s.ok()) {
                return s;
              }
              return r;
            });
}

}  // namespace

Result<Limits> limits_from_json(const json::value& v, UnknownFields unknown) {
  if (!v.is_object()) return Error::invalid("body", "limits must be a JSON object");
  Limits l;
  FieldReader in(v.get_object());
  read_limits(in, l, unknown);
  if (Status s = unknown == UnknownFields::refused ? in.finish() : in.status(); !s.ok()) return s;
  return l;
}

Result<LimitSetting> limit_setting_from_json(const json::value& v) {
  if (!v.is_object()) return Error::invalid("limits", "must be a JSON object");
  LimitSetting s;
  std::string scope;
  FieldReader in(v.get_object());
  in.read("scope", scope).read("name", s.name);
  read_limits(in, s.limits, UnknownFields::ignored);
  if (Status st = in.status(); !st.ok()) return st;
  auto parsed = limit_scope_from_string(scope);
  if (!parsed) return Error::invalid("scope", "must be queue or type");
  s.scope = *parsed;
  return s;
}

}  // namespace jobq
