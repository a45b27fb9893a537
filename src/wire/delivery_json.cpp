#include "wire/delivery_json.h"

#include <boost/json.hpp>

#include "core/time_format.h"

namespace jobq {

namespace json = boost::json;

namespace {

json::value time_or_null(Millis t) {
  return t > 0 ? json::value(format_time(t)) : nullptr;
}

}  // namespace

json::object delivery_to_json(const Delivery& d, bool with_body) {
  json::object o{
      {"id", d.id},
      {"job_id", d.job_id},
      {"url", d.url},
      {"event", d.event},
      {"status", to_string(d.status)},
      {"attempts", d.attempts},
      {"next_at", d.status == DeliveryStatus::pending ? time_or_null(d.next_at) : nullptr},
      {"claimed", !d.token.empty()},
      {"created_at", time_or_null(d.created_at)},
      {"updated_at", time_or_null(d.updated_at)},
      {"last_status", d.last_status > 0 ? json::value(d.last_status) : nullptr},
      {"last_error", d.last_error.empty() ? json::value(nullptr) : json::value(d.last_error)},
  };
  if (with_body) {
    boost::system::error_code ec;
    json::value body = json::parse(d.body, ec);
    o["body"] = ec ? json::value(d.body) : std::move(body);
  }
  return o;
}

json::object hook_to_json(const WebhookHook& hook) {
  json::array events;
  for (WebhookEvent e : hook.events) events.emplace_back(to_string(e));
  return {
      {"url", hook.url},
      {"queue", hook.queue.empty() ? json::value(nullptr) : json::value(hook.queue)},
      {"type", hook.type.empty() ? json::value(nullptr) : json::value(hook.type)},
      {"events", std::move(events)},
  };
}

}  // namespace jobq
