// The client's errors: what the server answered, or why no answer came.
#include <boost/json.hpp>

#include "jobq/client.h"

namespace jobq {

namespace json = boost::json;

ErrorCode ApiError::error_code() const {
  if (ok()) return ErrorCode::ok;
  switch (status_) {
    case 0:
      return code_ == "invalid_argument" ? ErrorCode::invalid_argument : ErrorCode::unavailable;
    case 400:
      return ErrorCode::invalid_argument;
    case 404:
      return ErrorCode::not_found;
    case 409:
      return ErrorCode::conflict;
    case 413:
      return ErrorCode::payload_too_large;
    case 429:
      return ErrorCode::quota_exceeded;
    case 503:
      return ErrorCode::unavailable;
    default:
      return ErrorCode::internal;
  }
}

Error ApiError::to_error() const {
  if (ok()) return {};
  return Error(error_code(), to_string(), field_);
}

std::string ApiError::to_string() const {
  if (ok()) return "ok";
  std::string s = status_ ? std::to_string(status_) + " " + code_ : code_;
  if (!field_.empty()) s += " (" + field_ + ")";
  if (!message_.empty()) s += ": " + message_;
  return s;
}

// The API's error body {"error":{"code","message","details":{"field"}}}, or as much as there is.
ApiError error_from_answer(int status, const std::string& body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (!ec && v.is_object()) {
    if (const json::value* e = v.get_object().if_contains("error"); e && e->is_object()) {
      const json::object& o = e->get_object();
      auto text = [&](const json::object& from, std::string_view key) {
        const json::value* x = from.if_contains(key);
        return x && x->is_string() ? std::string(x->get_string()) : std::string();
      };
      std::string field;
      if (const json::value* d = o.if_contains("details"); d && d->is_object())
        field = text(d->get_object(), "field");
      std::string code = text(o, "code");
      return ApiError(status, code.empty() ? "http_" + std::to_string(status) : code,
                      text(o, "message"), field);
    }
  }
  std::string excerpt = body.substr(0, 200);
  return ApiError(status, "http_" + std::to_string(status),
                  excerpt.empty() ? "no error body" : excerpt);
}

}  // namespace jobq
