// GET /api/v1/whoami: the role of the caller's key, so that a client (the dashboard) shows only
// what that role may do.
#include <boost/json.hpp>

#include "server/api.h"

namespace jobq::server {

namespace {

Reply whoami(Api&, const Call& call) {
  return json_reply(200, boost::json::object{{"role", call.role}, {"keys", call.keys_configured}});
}

}  // namespace

void add_whoami_routes(Router& r, Api& api) {
  r.add("GET", "/api/v1/whoami", Access::read, answer_now(api, whoami));
}

}  // namespace jobq::server
