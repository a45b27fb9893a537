#include "engine/event_relay.h"

#include <boost/json.hpp>

#include "wire/job_json.h"

namespace jobq {

namespace json = boost::json;

EventRelay::EventRelay(Engine& engine, EventBus& bus, EventChannel& channel)
    : engine_(engine), bus_(bus), channel_(channel) {
  subscription_ = bus_.subscribe([this](const Event& e) {
    if (!e.remote) channel_.publish(message(e));
  });
  channel_.listen([this](std::string_view m) { heard(m); });
}

EventRelay::~EventRelay() {
  channel_.listen({});
  bus_.unsubscribe(subscription_);
}

std::string EventRelay::message(const Event& e) {
  return "{\"type\":\"" + std::string(to_string(e.type)) + "\",\"job\":" + job_json_text(*e.job) +
         "}";
}

std::optional<Event> EventRelay::event_from(std::string_view message) {
  boost::system::error_code ec;
  json::value v = json::parse(message, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const json::object& o = v.get_object();
  auto type = o.if_contains("type");
  auto job = o.if_contains("job");
  if (!type || !type->is_string() || !job) return std::nullopt;
  auto t = parse_event_type(type->get_string());
  auto j = job_from_json(*job);
  if (!t || !j) return std::nullopt;
  return Event{*t, std::make_shared<const Job>(std::move(*j)), /*remote=*/true};
}

void EventRelay::heard(std::string_view m) {
  auto event = event_from(m);
  if (!event) return;  // a message of another version, or not jobq's: nothing to show
  bus_.publish(*event);
  if (event->job->status == JobStatus::queued) engine_.job_ready(*event->job);
}

}  // namespace jobq
