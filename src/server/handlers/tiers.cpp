// The users' tiers of the server's config: each one's submit quota and running cap, read only
// (they are jobqd's settings, docs/api.md "Quotas").
#include <boost/json.hpp>

#include "server/api.h"

namespace jobq::server {

namespace json = boost::json;

namespace {

Reply list(Api& api, const Call&) {
  const EngineOptions& o = api.engine.options();
  json::array tiers;
  for (const auto& [name, rate] : o.tiers) {
    auto cap = o.tier_max_running.find(name);
    tiers.push_back(json::object{
        {"name", name},
        {"submits", rate.count > 0 ? json::value(json::object{{"count", rate.count},
                                                              {"period_ms", rate.period_ms}})
                                   : json::value(nullptr)},
        {"max_running",
         cap != o.tier_max_running.end() ? json::value(cap->second) : json::value(nullptr)},
    });
  }
  return json_reply(200, json::object{
                             {"default_tier", o.default_tier.empty() ? json::value(nullptr)
                                                                     : json::value(o.default_tier)},
                             {"tiers", std::move(tiers)},
                         });
}

}  // namespace

void add_tier_routes(Router& r, Api& api) {
  r.add("GET", "/api/v1/tiers", Access::read, answer_now(api, list));
}

}  // namespace jobq::server
