#include "server/request/reply.h"

#include <boost/json.hpp>

namespace jobq::server {

namespace json = boost::json;

Reply json_reply(int status, const json::value& body) {
  return {status, json::serialize(body)};
}

Reply no_content() {
  return {204, {}, {}};
}

int http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::ok:
      return 200;
    case ErrorCode::invalid_argument:
      return 400;
    case ErrorCode::not_found:
      return 404;
    case ErrorCode::conflict:
      return 409;
    case ErrorCode::payload_too_large:
      return 413;
    case ErrorCode::quota_exceeded:
      return 429;
    case ErrorCode::unavailable:
      return 503;
    case ErrorCode::internal:
      return 500;
  }
  return 500;
}

Reply error_reply(const Error& error) {
  json::object details;
  if (!error.field().empty()) details["field"] = error.field();
  if (error.retry_after_ms() > 0) details["retry_after_ms"] = error.retry_after_ms();
  json::object body{{"error", json::object{{"code", to_string(error.code())},
                                           {"message", error.message()},
                                           {"details", std::move(details)}}}};
  Reply reply = json_reply(http_status(error.code()), body);
  if (error.retry_after_ms() > 0)  // whole seconds, rounded up: never sooner than the quota allows
    reply.headers.emplace_back("Retry-After",
                               std::to_string((error.retry_after_ms() + 999) / 1000));
  return reply;
}

Reply error_reply(int status, std::string_view code, std::string_view message,
                  std::string_view field) {
  json::object details;
  if (!field.empty()) details["field"] = field;
  json::object body{
      {"error",
       json::object{{"code", code}, {"message", message}, {"details", std::move(details)}}}};
  return json_reply(status, body);
}

}  // namespace jobq::server
