#include "server/request/body.h"

#include <boost/json.hpp>

#include "wire/strict_json.h"

namespace jobq::server {

namespace json = boost::json;

Result<json::object> body_object(const Call& call) {
  if (call.body.empty()) return json::object{};
  auto v = parse_json(call.body, "body");
  if (!v) return v.error();
  if (!v->is_object()) return Error::invalid("body", "must be a JSON object");
  return std::move(v->get_object());
}

Result<bool> read_ids_only(const json::object& body) {
  const json::value* v = body.if_contains("answer");
  if (!v || v->is_null()) return false;
  if (v->is_string() && v->get_string() == "jobs") return false;
  if (v->is_string() && v->get_string() == "ids") return true;
  return Error::invalid("answer", "must be \"jobs\" or \"ids\"");
}

}  // namespace jobq::server
