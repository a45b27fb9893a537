// Limits as JSON: {"max_running": 5, "starts": {"count": 10, "period_ms": 60000}}, each part
// absent (or null) when there is none; a setting adds "scope" and "name".
#pragma once

#include <boost/json/value.hpp>

#include "jobq/limits.h"
#include "wire/job_json.h"

namespace jobq {

boost::json::object limit_setting_to_json(const LimitSetting& setting);
// A request's body refuses fields it does not know; a server's answer may carry more.
Result<Limits> limits_from_json(const boost::json::value& v,
                                UnknownFields unknown = UnknownFields::refused);
Result<LimitSetting> limit_setting_from_json(const boost::json::value& v);

}  // namespace jobq
