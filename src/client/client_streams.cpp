// The WebSocket streams as typed events: a job's life, and the events feed.
#include <boost/json.hpp>

#include "client/client_calls.h"
#include "client/transport.h"
#include "wire/job_json.h"

namespace jobq {

namespace json = boost::json;

namespace {

// Reads each message into a JobEvent; a message that is not one ends the stream with an error.
ApiStatus read_events(Client::Transport& transport, const std::string& target,
                      const EventHandler& on_event, std::stop_token stop) {
  ApiError bad;
  ApiStatus s = transport.stream(
      target,
      [&](std::string_view text) {
        boost::system::error_code ec;
        json::value v = json::parse(text, ec);
        const json::object* o = ec ? nullptr : v.if_object();
        const json::value* name = o ? o->if_contains("event") : nullptr;
        const json::value* job = o ? o->if_contains("job") : nullptr;
        if (!name || !name->is_string() || !job) {
          bad =
              ApiError(0, "bad_answer",
                       "a stream message is not {event, job}: " + std::string(text.substr(0, 200)));
          return false;
        }
        auto parsed = job_from_json(*job);
        if (!parsed) {
          bad = bad_answer("a stream message's job", parsed.error());
          return false;
        }
        return on_event(
            JobEvent{std::string(name->get_string()), std::move(*parsed), std::string(text)});
      },
      stop);
  return bad.ok() ? s : bad;
}

std::string joined(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& i : items) {
    if (!s.empty()) s += ',';
    s += i;
  }
  return s;
}

}  // namespace

ApiStatus Client::watch(const std::string& id, const EventHandler& on_event, std::stop_token stop) {
  return read_events(*transport_, job_path(id, "/ws"), on_event, stop);
}

ApiStatus Client::events(const EventFilter& filter, const EventHandler& on_event,
                         std::stop_token stop) {
  std::string q;
  auto add = [&](const char* key, const std::vector<std::string>& values) {
    if (values.empty()) return;
    q += q.empty() ? '?' : '&';
    q += key;
    q += '=';
    q += encode(joined(values));
  };
  add("queue", filter.queues);
  add("type", filter.types);
  add("event", filter.events);
  return read_events(*transport_, "/api/v1/events/ws" + q, on_event, stop);
}

}  // namespace jobq
