#include "wire/delivery_json.h"

#include <boost/json.hpp>

#include "core/time_format.h"
#include "wire/field_reader.h"
#include "wire/json_values.h"

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

json::object webhook_settings_to_json(const WebhookSettings& s) {
  json::array hooks;
  for (const WebhookHook& h : s.hooks) hooks.emplace_back(hook_to_json(h));
  return {
      {"enabled", s.enabled},
      {"hooks", std::move(hooks)},
      {"max_attempts", s.max_attempts},
      {"dead_retention_ms", s.dead_retention_ms},
  };
}

namespace {

Result<DeliveryStatus> status_from_json(const json::value& v, std::string_view field) {
  auto text = as_string(v, field);
  if (!text) return text.error();
  if (auto s = delivery_status_from_string(*text)) return *s;
  return Error::invalid(std::string(field), "must be pending or dead");
}

Result<std::string> token_from_json(const json::value& v, std::string_view field) {
  auto claimed = as_bool(v, field);
  if (!claimed) return claimed.error();
  return std::string(*claimed ? kClaimedToken : "");
}

// The body is JSON in the answer; a server that could not parse it sends the text as a string.
Result<std::string> body_from_json(const json::value& v, std::string_view) {
  return v.is_string() ? std::string(v.get_string()) : json::serialize(v);
}

Result<std::vector<WebhookEvent>> events_from_json(const json::value& v, std::string_view field) {
  if (!v.is_array()) return Error::invalid(std::string(field), "must be a list of event names");
  std::vector<WebhookEvent> out;
  for (const json::value& e : v.get_array()) {
    auto event = e.is_string() ? webhook_event_from_string(e.get_string()) : std::nullopt;
    if (!event)
      return Error::invalid(std::string(field),
                            "each must be job.completed, job.failed or job.cancelled");
    out.push_back(*event);
  }
  return out;
}

Result<std::vector<WebhookHook>> hooks_from_json(const json::value& v, std::string_view field) {
  if (!v.is_array()) return Error::invalid(std::string(field), "must be a list");
  std::vector<WebhookHook> out;
  for (const json::value& h : v.get_array()) {
    auto hook = hook_from_json(h);
    if (!hook)
      return hook.error().within(std::string(field) + "[" + std::to_string(out.size()) + "]");
    out.push_back(std::move(*hook));
  }
  return out;
}

}  // namespace

Result<Delivery> delivery_from_json(const json::value& v) {
  if (!v.is_object()) return Error::invalid("delivery", "must be a JSON object");
  Delivery d;
  FieldReader in(v.get_object());
  in.require("id")
      .require("status")
      .read("id", d.id)
      .read("job_id", d.job_id)
      .read("url", d.url)
      .read("event", d.event)
      .read("body", d.body, body_from_json)
      .read("status", d.status, status_from_json)
      .read("attempts", d.attempts)
      .read_time("next_at", d.next_at)
      .read("claimed", d.token, token_from_json)
      .read_time("created_at", d.created_at)
      .read_time("updated_at", d.updated_at)
      .read("last_status", d.last_status)
      .read("last_error", d.last_error);
  if (Status s = in.status(); !s.ok()) return s;
  return d;
}

Result<WebhookHook> hook_from_json(const json::value& v) {
  if (!v.is_object()) return Error::invalid("hook", "must be a JSON object");
  WebhookHook h;
  FieldReader in(v.get_object());
  in.require("url")
      .read("url", h.url)
      .read("queue", h.queue)
      .read("type", h.type)
      .read("events", h.events, events_from_json);
  if (Status s = in.status(); !s.ok()) return s;
  return h;
}

Result<WebhookSettings> webhook_settings_from_json(const json::value& v) {
  if (!v.is_object()) return Error::invalid("webhooks", "must be a JSON object");
  WebhookSettings s;
  FieldReader in(v.get_object());
  in.require("enabled")
      .read("enabled", s.enabled)
      .read("hooks", s.hooks, hooks_from_json)
      .read("max_attempts", s.max_attempts)
      .read("dead_retention_ms", s.dead_retention_ms);
  if (Status st = in.status(); !st.ok()) return st;
  return s;
}

}  // namespace jobq
