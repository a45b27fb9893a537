// GET /api/v1/openapi.json: the API's own contract, docs/openapi.yaml as JSON, built in at
// compile time. Open to anyone, like health and metrics.
#include "server/openapi.h"
#include "server/api.h"

namespace jobq::server {

void add_openapi_routes(Router& r, Api& api) {
  r.add("GET", "/api/v1/openapi.json", Access::open, answer_now(api, [](Api&, const Call&) {
          return Reply{200, std::string(openapi_json()), "application/json"};
        }));
}

}  // namespace jobq::server
