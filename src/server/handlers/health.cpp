// Liveness and readiness, open to anyone so that load balancers need no key.
#include <boost/json.hpp>

#include "server/api.h"

namespace jobq::server {

namespace json = boost::json;

namespace {

Reply health(Api&, const Call&) {
  return json_reply(200, json::object{{"status", "ok"}});
}

Reply ready(Api& api, const Call&) {
  if (!api.ready())
    return error_reply(Error::unavailable("the store does not answer; see the server log"));
  return json_reply(200, json::object{{"status", "ready"}});
}

}  // namespace

void add_health_routes(Router& r, Api& api) {
  for (std::string prefix : {"", "/api/v1"}) {
    r.add("GET", prefix + "/health", Access::open, answer_now(api, health), {.never_blocks = true});
    r.add("GET", prefix + "/ready", Access::open, answer_now(api, ready));
  }
}

}  // namespace jobq::server
