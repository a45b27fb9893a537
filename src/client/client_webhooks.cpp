// The webhooks' calls: the server's settings and its outbox of deliveries, each answer read back
// with wire/delivery_json.h.
#include <boost/json.hpp>

#include "client/client_calls.h"
#include "wire/delivery_json.h"

namespace jobq {

namespace json = boost::json;

namespace {

constexpr const char* kDeliveries = "/api/v1/webhooks/deliveries";

// The limit is sent as given, so that the server judges it (1..1000) as for any other client.
std::string deliveries_query(const DeliveryFilter& f) {
  std::string q = "?limit=" + std::to_string(f.limit);
  if (f.status) q += "&status=" + std::string(to_string(*f.status));
  if (!f.job_id.empty()) q += "&job_id=" + encode(f.job_id);
  if (!f.cursor.empty()) q += "&cursor=" + encode(f.cursor);
  return q;
}

ApiResult<Delivery> delivery_answer(const ApiResult<json::value>& answer) {
  if (!answer) return answer.error();
  auto d = delivery_from_json(*answer);
  if (!d) return bad_answer("delivery", d.error());
  return std::move(*d);
}

// An empty id would name the list rather than a delivery: refused before sending.
ApiResult<Delivery> delivery_call(Client& client, const char* method, const std::string& id,
                                  const char* tail) {
  if (id.empty()) return ApiError(0, "invalid_argument", "a delivery id is needed", "id");
  return delivery_answer(client.call(method, std::string(kDeliveries) + "/" + encode(id) + tail));
}

}  // namespace

ApiResult<WebhookSettings> Client::webhooks() {
  auto answer = call("GET", "/api/v1/webhooks");
  if (!answer) return answer.error();
  auto s = webhook_settings_from_json(*answer);
  if (!s) return bad_answer("webhooks", s.error());
  return std::move(*s);
}

ApiResult<DeliveryPage> Client::list_deliveries(const DeliveryFilter& filter) {
  auto answer = call("GET", kDeliveries + deliveries_query(filter));
  if (!answer) return answer.error();
  const json::object* page = answer->if_object();
  const json::value* list = page ? page->if_contains("deliveries") : nullptr;
  if (!list || !list->is_array())
    return bad_answer("deliveries", Error::invalid("deliveries", "is not a list"));
  DeliveryPage out;
  for (const json::value& v : list->get_array()) {
    auto d = delivery_from_json(v);
    if (!d) return bad_answer("deliveries", d.error());
    out.deliveries.push_back(std::move(*d));
  }
  if (const json::value* next = page->if_contains("next_cursor"); next && next->is_string())
    out.next_cursor = std::string(next->get_string());
  return out;
}

ApiResult<Delivery> Client::get_delivery(const std::string& id) {
  return delivery_call(*this, "GET", id, "");
}

ApiResult<Delivery> Client::retry_delivery(const std::string& id) {
  return delivery_call(*this, "POST", id, "/retry");
}

ApiResult<Delivery> Client::remove_delivery(const std::string& id) {
  return delivery_call(*this, "DELETE", id, "");
}

}  // namespace jobq
