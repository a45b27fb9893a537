#include "wire/json_values.h"

#include <cmath>

#include "core/time_format.h"

namespace jobq {

namespace json = boost::json;

Result<std::string> as_string(const json::value& v, std::string_view field) {
  if (!v.is_string()) return Error::invalid(std::string(field), "must be a string");
  return std::string(v.get_string());
}

Result<std::int64_t> as_int(const json::value& v, std::string_view field) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= std::uint64_t(INT64_MAX))
    return std::int64_t(v.get_uint64());
  if (v.is_double() && std::floor(v.get_double()) == v.get_double() &&
      std::abs(v.get_double()) < 9e15)
    return std::int64_t(v.get_double());
  return Error::invalid(std::string(field), "must be an integer");
}

Result<double> as_number(const json::value& v, std::string_view field) {
  if (!v.is_number()) return Error::invalid(std::string(field), "must be a number");
  return v.to_number<double>();
}

Result<bool> as_bool(const json::value& v, std::string_view field) {
  if (!v.is_bool()) return Error::invalid(std::string(field), "must be true or false");
  return v.get_bool();
}

Result<std::vector<std::string>> as_strings(const json::value& v, std::string_view field) {
  if (!v.is_array()) return Error::invalid(std::string(field), "must be an array of strings");
  std::vector<std::string> out;
  for (const auto& item : v.get_array()) {
    if (!item.is_string()) return Error::invalid(std::string(field), "must be an array of strings");
    out.emplace_back(item.get_string());
  }
  return out;
}

Result<Millis> as_time(const json::value& v, std::string_view field) {
  if (v.is_string()) {
    if (auto t = parse_time(v.get_string())) return *t;
    return Error::invalid(std::string(field),
                          "must be an RFC 3339 time such as 2026-01-31T09:00:00Z");
  }
  return as_int(v, field);
}

}  // namespace jobq
