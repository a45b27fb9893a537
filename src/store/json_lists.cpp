#include "store/json_lists.h"

#include <boost/json.hpp>

namespace jobq {

namespace json = boost::json;

namespace {

json::object error_object(const JobError& e) {
  return {{"message", e.message}, {"traceback", e.traceback}, {"attempt", e.attempt}, {"at", e.at}};
}

}  // namespace

std::string strings_json(const std::vector<std::string>& items) {
  if (items.empty()) return {};
  json::array a;
  for (const auto& s : items) a.emplace_back(s);
  return json::serialize(a);
}

std::vector<std::string> strings_from_json(const std::string& text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  json::value parsed = json::parse(text);
  for (const auto& v : parsed.as_array()) out.emplace_back(v.as_string());
  return out;
}

std::string error_json(const JobError& error) {
  return json::serialize(error_object(error));
}

std::string errors_json(const std::vector<JobError>& errors) {
  if (errors.empty()) return {};
  json::array a;
  for (const auto& e : errors) a.push_back(error_object(e));
  return json::serialize(a);
}

std::vector<JobError> errors_from_json(const std::string& text) {
  std::vector<JobError> out;
  if (text.empty()) return out;
  json::value parsed = json::parse(text);
  for (const auto& v : parsed.as_array()) {
    const auto& o = v.as_object();
    out.push_back({std::string(o.at("message").as_string()),
                   std::string(o.at("traceback").as_string()),
                   int(o.at("attempt").to_number<int>()), o.at("at").to_number<std::int64_t>()});
  }
  return out;
}

}  // namespace jobq
