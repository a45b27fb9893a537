// What a handler answers: a status and a body. JSON unless said otherwise.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <utility>
#include <vector>

#include "jobq/error.h"

namespace jobq::server {

struct Reply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers = {};  // beyond the usual ones
};

Reply json_reply(int status, const boost::json::value& body);
Reply no_content();

// The one place an Error becomes an HTTP status:
// {"error":{"code","message","details":{"field"}}}.
int http_status(ErrorCode code);
Reply error_reply(const Error& error);
// Errors of the HTTP layer itself, which have no engine code (route_not_found, unauthorized...);
// `field` names the header or setting at fault, if one is.
Reply error_reply(int status, std::string_view code, std::string_view message,
                  std::string_view field = {});

}  // namespace jobq::server
