// Typed reads of single JSON values; each error names the field it came from.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "jobq/clock.h"
#include "jobq/error.h"

namespace jobq {

Result<std::string> as_string(const boost::json::value& v, std::string_view field);
// Integers, also as whole doubles (JavaScript clients send 5.0 for 5).
Result<std::int64_t> as_int(const boost::json::value& v, std::string_view field);
Result<double> as_number(const boost::json::value& v, std::string_view field);
Result<bool> as_bool(const boost::json::value& v, std::string_view field);
Result<std::vector<std::string>> as_strings(const boost::json::value& v, std::string_view field);
// RFC 3339 text, or milliseconds since the epoch.
Result<Millis> as_time(const boost::json::value& v, std::string_view field);

}  // namespace jobq
