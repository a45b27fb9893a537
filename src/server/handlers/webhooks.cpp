// Webhooks: the configured hooks, and the outbox of deliveries (pending and dead) with retry and
// removal of one.
#include <boost/json.hpp>

#include "core/int_text.h"
#include "server/api.h"
#include "wire/delivery_json.h"

namespace jobq::server {

namespace json = boost::json;

namespace {

Reply settings(Api& api, const Call&) {
  const WebhookOptions& o = api.engine.options().webhooks;
  return json_reply(
      200, webhook_settings_to_json({o.enabled, o.hooks, o.max_attempts, o.dead_retention_ms}));
}

Result<DeliveryFilter> parse_filter(const Call& call) {
  DeliveryFilter f;
  for (const auto& [name, value] : call.query) {
    if (name == "status") {
      auto status = delivery_status_from_string(value);
      if (!status) return Error::invalid("status", "must be pending or dead");
      f.status = status;
    } else if (name == "job_id") {
      f.job_id = value;
    } else if (name == "limit") {
      auto n = parse_int(name, value, 1, 1000);
      if (!n) return n.error();
      f.limit = std::size_t(*n);
    } else if (name == "cursor") {
      f.cursor = value;
    } else {
      return Error::invalid(name,
                            "unknown parameter: deliveries are listed by status, job_id, "
                            "limit and cursor");
    }
  }
  return f;
}

Reply list(Api& api, const Call& call) {
  auto filter = parse_filter(call);
  if (!filter) return error_reply(filter.error());
  auto page = api.engine.list_deliveries(*filter);
  if (!page) return error_reply(page.error());
  json::array out;
  for (const Delivery& d : page->deliveries) out.emplace_back(delivery_to_json(d, false));
  return json_reply(
      200, json::object{
               {"deliveries", std::move(out)},
               {"next_cursor",
                page->next_cursor.empty() ? json::value(nullptr) : json::value(page->next_cursor)},
           });
}

Reply delivery_reply(const Result<Delivery>& d) {
  if (!d) return error_reply(d.error());
  return json_reply(200, delivery_to_json(*d, true));
}

Reply get(Api& api, const Call& call) {
  return delivery_reply(api.engine.get_delivery(call.param("id")));
}

Reply retry(Api& api, const Call& call) {
  return delivery_reply(api.engine.retry_delivery(call.param("id")));
}

Reply remove(Api& api, const Call& call) {
  return delivery_reply(api.engine.remove_delivery(call.param("id")));
}

}  // namespace

void add_webhook_routes(Router& r, Api& api) {
  r.add("GET", "/api/v1/webhooks", Access::read, answer_now(api, settings));
  r.add("GET", "/api/v1/webhooks/deliveries", Access::read, answer_now(api, list));
  r.add("GET", "/api/v1/webhooks/deliveries/{id}", Access::read, answer_now(api, get));
  r.add("POST", "/api/v1/webhooks/deliveries/{id}/retry", Access::operate, answer_now(api, retry));
  r.add("DELETE", "/api/v1/webhooks/deliveries/{id}", Access::operate, answer_now(api, remove));
}

}  // namespace jobq::server
