#include "jobqd/config.h"

#include <toml++/toml.h>
#include <boost/json.hpp>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

#include "core/int_text.h"
#include "core/job_spec.h"
#include "core/webhook_url.h"
#include "server/request/auth.h"
#include "server/transport/origin_policy.h"
#include "server/transport/text.h"
#include "webhooks/address_policy.h"
#include "wire/limits_json.h"
#include "wire/schedule_json.h"

namespace jobq {

namespace {

Result<bool> parse_bool(std::string_view name, std::string_view text) {
  if (text == "true" || text == "1" || text == "yes") return true;
  if (text == "false" || text == "0" || text == "no") return false;
  return Error::invalid(std::string(name), "must be true or false");
}

// A TOML table as the JSON the API's decoders read; none if it is not JSON (inf, nan).
std::optional<boost::json::value> json_of(const toml::table& table) {
  std::ostringstream text;
  text << toml::json_formatter{table};
  boost::system::error_code ec;
  boost::json::value json = boost::json::parse(text.str(), ec);
  if (ec) return std::nullopt;
  return json;
}

// [schedules.NAME]: the table as the JSON body of a create, read by the API's own decoder.
Status read_schedule(Config& c, std::string_view name, const toml::table& table,
                     const std::string& path) {
  std::string field = "schedules." + std::string(name);
  auto parsed = json_of(table);
  if (!parsed || !parsed->is_object())
    return Error::invalid(field, path + ": not a table of settings");
  boost::json::value& json = *parsed;
  if (json.as_object().contains("name"))
    return Error::invalid(field + ".name", path + ": the table's name is the schedule's");
  json.as_object()["name"] = name;
  auto spec = schedule_spec_from_json(json);
  if (!spec)
    return Error::invalid(spec.error().within(field).field(), path + ": " + spec.error().message());
  c.schedules.push_back({std::move(*spec), table.contains("paused")});
  return {};
}

bool is_limit_setting(std::string_view key) {
  return key == "max_running" || key == "starts";
}

// The limits in a [queues.NAME] or [types.NAME] table (max_running, starts = {count, period_ms}),
// read by the API's own decoder, as PUT .../limits reads them.
Status read_limits(Config& c, LimitScope scope, std::string_view name, const toml::table& table,
                   const std::string& path) {
  std::string field = (scope == LimitScope::queue ? "queues." : "types.") + std::string(name);
  toml::table part;
  for (const auto& [k, v] : table)
    if (is_limit_setting(k.str())) part.insert(k, v);
  if (part.empty()) return {};
  if (Status s = check_name(to_string(scope), name); !s.ok())
    return Error::invalid(field, path + ": \"" + std::string(name) + "\" is not a " +
                                     std::string(to_string(scope)) + " name: " + s.message());
  auto json = json_of(part);
  if (!json) return Error::invalid(field, path + ": not a table of settings");
  auto limits = limits_from_json(*json);
  if (limits) {
    if (Status s = check_limits(*limits); !s.ok()) limits = s;
  }
  if (!limits)
    return Error::invalid(limits.error().within(field).field(),
                          path + ": " + limits.error().message());
  c.limits.push_back({scope, std::string(name), *limits});
  return {};
}

// [tiers.NAME] submits = {count, period_ms}: a user's submit quota in that tier, read as the
// "starts" of a limit are; max_running = N: how many of a user's jobs in it run at once. A tier
// has either or both.
Status read_tier(Config& c, std::string_view name, const toml::node& settings,
                 const std::string& path) {
  std::string field = "tiers." + std::string(name);
  if (Status s = check_name("tier", name); !s.ok())
    return Error::invalid(
        field, path + ": \"" + std::string(name) + "\" is not a tier name: " + s.message());
  const toml::table* table = settings.as_table();
  if (!table) return Error::invalid(field, path + ": must be a table of settings");
  for (const auto& [k, v] : *table)
    if (k.str() != "submits" && k.str() != "max_running")
      return Error::invalid(field + "." + std::string(k.str()),
                            path + ": unknown tier setting: a tier has submits and max_running");
  if (const toml::node* cap = table->get("max_running")) {
    auto n = cap->value<std::int64_t>();
    if (!cap->is_integer() || !n || *n < 1 || *n > 1'000'000)
      return Error::invalid(field + ".max_running", path +
                                                        ": must be a whole number from 1 to "
                                                        "1000000");
    c.tier_max_running[std::string(name)] = *n;
  }
  const toml::node* submits = table->get("submits");
  if (!submits) {
    if (!table->contains("max_running"))
      return Error::invalid(field + ".submits",
                            path + ": a tier needs submits, max_running or both");
    c.tiers[std::string(name)] = Rate{};  // no submit quota
    return {};
  }
  toml::table wrapped;
  wrapped.insert("starts", *submits);
  auto json = json_of(wrapped);
  auto limits =
      json ? limits_from_json(*json) : Result<Limits>(Error::invalid("starts", "not a table"));
  if (limits && limits->starts.count == 0) limits = Error::invalid("starts.count", "is required");
  if (limits) {
    if (Status s = check_limits(*limits); !s.ok()) limits = s;
  }
  if (!limits) {
    // "starts.count" of the decoder is "submits.count" here.
    std::string f = limits.error().field();
    if (f.rfind("starts", 0) == 0) f = "submits" + f.substr(6);
    return Error::invalid(field + "." + f, path + ": " + limits.error().message());
  }
  c.tiers[std::string(name)] = limits->starts;
  return {};
}

// [[webhooks]] url = "...", queue = "...", type = "...", events = ["job.completed", ...]
Status read_webhook(Config& c, std::size_t i, const toml::node& node, const std::string& path) {
  std::string field = "webhooks[" + std::to_string(i) + "]";
  const toml::table* table = node.as_table();
  if (!table) return Error::invalid(field, path + ": must be a [[webhooks]] table");
  WebhookHook hook;
  for (const auto& [k, v] : *table) {
    std::string key(k.str());
    std::string f = field + "." + key;
    if (key == "url" || key == "queue" || key == "type") {
      if (!v.is_string()) return Error::invalid(f, path + ": must be a string");
      std::string text = v.as_string()->get();
      if (key == "url") {
        if (Status s = check_webhook_url(f, text); !s.ok())
          return Error::invalid(f, path + ": " + s.message());
        hook.url = text;
      } else {
        if (Status s = check_name(f, text); !s.ok())
          return Error::invalid(f, path + ": " + s.message());
        (key == "queue" ? hook.queue : hook.type) = text;
      }
    } else if (key == "events") {
      const toml::array* events = v.as_array();
      if (!events) return Error::invalid(f, path + ": must be a list of event names");
      for (const auto& e : *events) {
        auto event = e.is_string() ? webhook_event_from_string(e.as_string()->get()) : std::nullopt;
        if (!event)
          return Error::invalid(f,
                                path + ": each must be job.completed, job.failed or job.cancelled");
        hook.events.push_back(*event);
      }
    } else {
      return Error::invalid(f, path +
                                   ": unknown webhook setting: a webhook has url, queue, type "
                                   "and events");
    }
  }
  if (hook.url.empty()) return Error::invalid(field + ".url", path + ": is required");
  c.webhooks.push_back(std::move(hook));
  return {};
}

constexpr std::int64_t kMaxDeadLetterCap = 100'000'000;

bool is_retention_setting(std::string_view name) {
  return name == "retain_completed_ms" || name == "retain_cancelled_ms" ||
         name == "retain_failed_ms" || name == "dead_letter_cap";
}

// One retention setting (is_retention_setting) into `r`'s fields, which may be std::optional (a
// queue's own).
template <typename Retention>
Status apply_retention(Retention& r, std::string_view field, std::string_view name,
                       std::string_view value) {
  auto number = [&](auto& into, std::int64_t hi) -> Status {
    auto n = parse_int(field, value, 0, hi);
    if (!n) return n.error();
    into = *n;
    return {};
  };
  if (name == "retain_completed_ms") return number(r.completed_ms, kMaxDelayMs);
  if (name == "retain_cancelled_ms") return number(r.cancelled_ms, kMaxDelayMs);
  if (name == "retain_failed_ms") return number(r.failed_ms, kMaxDelayMs);
  return number(r.dead_letter_cap, kMaxDeadLetterCap);
}

}  // namespace

std::string Config::host() const {
  auto colon = listen.rfind(':');
  std::string h = listen.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  return h;
}

std::uint16_t Config::port() const {
  auto colon = listen.rfind(':');
  return std::uint16_t(std::stoi(listen.substr(colon + 1)));
}

const std::vector<std::string_view>& setting_names() {
  static const std::vector<std::string_view> names = {"listen",
                                                      "store",
                                                      "sync",
                                                      "redis_prefix",
                                                      "redis_allow_eviction",
                                                      "api_keys",
                                                      "insecure",
                                                      "cors_origins",
                                                      "allowed_hosts",
                                                      "log_format",
                                                      "log_level",
                                                      "max_body_bytes",
                                                      "max_payload_bytes",
                                                      "max_buffered_bytes",
                                                      "max_connections",
                                                      "max_connections_per_client",
                                                      "io_threads",
                                                      "blocking_threads",
                                                      "shutdown_grace_ms",
                                                      "request_timeout_ms",
                                                      "idle_timeout_ms",
                                                      "worker_lost_after_ms",
                                                      "retain_completed_ms",
                                                      "retain_cancelled_ms",
                                                      "retain_failed_ms",
                                                      "dead_letter_cap",
                                                      "default_tier",
                                                      "webhook_secret",
                                                      "webhook_allow",
                                                      "webhook_ca_file",
                                                      "webhook_timeout_ms",
                                                      "webhook_max_attempts",
                                                      "webhook_backoff_initial_ms",
                                                      "webhook_backoff_max_ms",
                                                      "webhook_retain_dead_ms",
                                                      "webhook_senders"};
  return names;
}

Status apply_setting(Config& c, std::string_view name, std::string_view value) {
  auto number = [&](auto& into, std::int64_t lo, std::int64_t hi) -> Status {
    auto n = parse_int(name, value, lo, hi);
    if (!n) return n.error();
    into = static_cast<std::remove_reference_t<decltype(into)>>(*n);
    return {};
  };
  if (name == "listen") {
    c.listen = value;
    return {};
  }
  if (name == "store") {
    c.store = value;
    return {};
  }
  if (name == "sync") {
    if (value == "full")
      c.sync = SyncMode::full;
    else if (value == "normal")
      c.sync = SyncMode::normal;
    else
      return Error::invalid("sync", "must be full or normal");
    return {};
  }
  if (name == "redis_prefix") {
    if (value.empty()) return Error::invalid("redis_prefix", "must not be empty");
    c.redis_prefix = value;
    return {};
  }
  if (name == "redis_allow_eviction") {
    auto b = parse_bool(name, value);
    if (!b) return b.error();
    c.redis_allow_eviction = *b;
    return {};
  }
  if (name == "api_keys") {
    if (auto keys = server::ApiKeys::parse(value); !keys) return keys.error();
    c.api_keys = value;
    return {};
  }
  if (name == "cors_origins") {
    for (const auto& origin : server::split_list(value))
      if (origin != "*" && (origin.find("://") == std::string::npos || origin.back() == '/'))
        return Error::invalid("cors_origins", "\"" + origin +
                                                  "\" is not an origin: write "
                                                  "scheme://host[:port], such as "
                                                  "https://app.example.com, or *");
    c.cors_origins = value;
    return {};
  }
  if (name == "allowed_hosts") {
    c.allowed_hosts = value;
    return {};
  }
  if (name == "insecure") {
    auto b = parse_bool(name, value);
    if (!b) return b.error();
    c.insecure = *b;
    return {};
  }
  if (name == "log_format") {
    if (value != "text" && value != "json")
      return Error::invalid("log_format", "must be text or json");
    c.log_format = value;
    return {};
  }
  if (name == "log_level") {
    for (std::string_view l : {"trace", "debug", "info", "warn", "error", "off"})
      if (value == l) {
        c.log_level = value;
        return {};
      }
    return Error::invalid("log_level", "must be trace, debug, info, warn, error or off");
  }
  if (name == "max_body_bytes") return number(c.max_body_bytes, 1024, 1LL << 30);
  if (name == "max_payload_bytes") return number(c.max_payload_bytes, 16, 1LL << 30);
  if (name == "max_buffered_bytes") return number(c.max_buffered_bytes, 1024, 1LL << 40);
  if (name == "max_connections") return number(c.max_connections, 1, 1'000'000);
  if (name == "max_connections_per_client")
    return number(c.max_connections_per_client, 1, 1'000'000);
  if (name == "io_threads") return number(c.io_threads, 0, 256);
  if (name == "blocking_threads") return number(c.blocking_threads, 1, 4096);
  if (name == "shutdown_grace_ms") return number(c.shutdown_grace_ms, 0, 3'600'000);
  if (name == "request_timeout_ms") return number(c.request_timeout_ms, 100, 3'600'000);
  if (name == "idle_timeout_ms") return number(c.idle_timeout_ms, 100, 86'400'000);
  if (name == "worker_lost_after_ms") return number(c.worker_lost_after_ms, 1000, 86'400'000);
  if (is_retention_setting(name)) return apply_retention(c.retention, name, name, value);
  if (name == "default_tier") {
    if (Status s = check_name("default_tier", value); !value.empty() && !s.ok()) return s;
    c.default_tier = value;
    return {};
  }
  if (name == "webhook_secret") {
    c.webhook_secret = value;
    return {};
  }
  if (name == "webhook_allow") {
    if (auto p = webhooks::AddressPolicy::from_allow_list(value); !p)
      return Error::invalid("webhook_allow", p.error().message());
    c.webhook_allow = value;
    return {};
  }
  if (name == "webhook_ca_file") {
    c.webhook_ca_file = value;
    return {};
  }
  if (name == "webhook_timeout_ms") return number(c.webhook_timeout_ms, 100, 300'000);
  if (name == "webhook_max_attempts") return number(c.webhook_max_attempts, 1, 100);
  if (name == "webhook_backoff_initial_ms")
    return number(c.webhook_backoff_initial_ms, 1, 86'400'000);
  if (name == "webhook_backoff_max_ms") return number(c.webhook_backoff_max_ms, 1, 86'400'000);
  if (name == "webhook_retain_dead_ms") return number(c.webhook_retain_dead_ms, 1, kMaxDelayMs);
  if (name == "webhook_senders") return number(c.webhook_senders, 1, 64);
  return Error::invalid(std::string(name), "unknown setting");
}

Status apply_queue_setting(Config& c, std::string_view queue, std::string_view name,
                           std::string_view value) {
  std::string field = "queues." + std::string(queue) + "." + std::string(name);
  if (Status s = check_name("queues", queue); !s.ok())
    return Error::invalid(field,
                          "\"" + std::string(queue) + "\" is not a queue name: " + s.message());
  if (is_retention_setting(name))
    return apply_retention(c.retention.queues[std::string(queue)], field, name, value);
  return Error::invalid(field,
                        "unknown queue setting: a queue may have retain_completed_ms, "
                        "retain_cancelled_ms, retain_failed_ms, dead_letter_cap, max_running "
                        "and starts");
}

Status apply_toml_file(Config& c, const std::string& path) {
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return Error::invalid("config", path + ": " + std::string(e.description()));
  }
  for (const auto& [key, node] : table) {
    std::string name(key.str());
    std::string text;
    if (name == "queues") {
      // [queues.NAME] SETTING = N
      if (!node.is_table())
        return Error::invalid("queues", path + ": must be [queues.NAME] tables");
      for (const auto& [queue, settings] : *node.as_table()) {
        if (!settings.is_table())
          return Error::invalid("queues", path + ": queues." + std::string(queue.str()) +
                                              " must be a table of settings");
        if (Status s = read_limits(c, LimitScope::queue, queue.str(), *settings.as_table(), path);
            !s.ok())
          return s;
        for (const auto& [k, v] : *settings.as_table()) {
          if (is_limit_setting(k.str())) continue;
          if (!v.is_integer())
            return Error::invalid("queues." + std::string(queue.str()) + "." + std::string(k.str()),
                                  path + ": must be a whole number");
          if (Status s = apply_queue_setting(c, queue.str(), k.str(),
                                             std::to_string(v.as_integer()->get()));
              !s.ok())
            return Error::invalid(s.field(), path + ": " + s.message());
        }
      }
      continue;
    }
    if (name == "types") {
      // [types.NAME] max_running = N, starts = {count = N, period_ms = N}
      if (!node.is_table()) return Error::invalid("types", path + ": must be [types.NAME] tables");
      for (const auto& [type, settings] : *node.as_table()) {
        std::string field = "types." + std::string(type.str());
        if (!settings.is_table())
          return Error::invalid(field, path + ": must be a table of settings");
        for (const auto& [k, v] : *settings.as_table())
          if (!is_limit_setting(k.str()))
            return Error::invalid(field + "." + std::string(k.str()),
                                  path +
                                      ": unknown type setting: a type may have max_running "
                                      "and starts");
        if (Status s = read_limits(c, LimitScope::type, type.str(), *settings.as_table(), path);
            !s.ok())
          return s;
      }
      continue;
    }
    if (name == "tiers") {
      // [tiers.NAME] submits = {count = N, period_ms = N}
      if (!node.is_table()) return Error::invalid("tiers", path + ": must be [tiers.NAME] tables");
      for (const auto& [tier, settings] : *node.as_table())
        if (Status s = read_tier(c, tier.str(), settings, path); !s.ok()) return s;
      continue;
    }
    if (name == "webhooks") {
      const toml::array* hooks = node.as_array();
      if (!hooks) return Error::invalid("webhooks", path + ": must be [[webhooks]] tables");
      for (std::size_t i = 0; i < hooks->size(); ++i)
        if (Status s = read_webhook(c, i, *hooks->get(i), path); !s.ok()) return s;
      continue;
    }
    if (name == "schedules") {
      if (!node.is_table())
        return Error::invalid("schedules", path + ": must be [schedules.NAME] tables");
      for (const auto& [schedule, settings] : *node.as_table()) {
        if (!settings.is_table())
          return Error::invalid("schedules." + std::string(schedule.str()),
                                path + ": must be a table of a schedule's fields");
        if (Status s = read_schedule(c, schedule.str(), *settings.as_table(), path); !s.ok())
          return s;
      }
      continue;
    }
    if (name == "api_keys" && node.is_table()) {
      // [api_keys] KEY = "ROLE"
      for (const auto& [k, role] : *node.as_table()) {
        if (!role.is_string()) return Error::invalid("api_keys", "each role must be a string");
        if (!text.empty()) text += ",";
        text += std::string(k.str()) + ":" + role.as_string()->get();
      }
    } else if (node.is_string()) {
      text = node.as_string()->get();
    } else if (node.is_integer()) {
      text = std::to_string(node.as_integer()->get());
    } else if (node.is_boolean()) {
      text = node.as_boolean()->get() ? "true" : "false";
    } else {
      return Error::invalid(name, "must be a string, a number or true/false");
    }
    if (Status s = apply_setting(c, name, text); !s.ok())
      return Error::invalid(s.field(), path + ": " + s.message());
  }
  return {};
}

Status validate(const Config& c) {
  auto colon = c.listen.rfind(':');
  if (colon == std::string::npos || colon == 0)
    return Error::invalid("listen", "must be HOST:PORT, such as 127.0.0.1:8080");
  if (auto p = parse_int("listen", c.listen.substr(colon + 1), 0, 65535); !p)
    return Error::invalid("listen", "the port must be a number from 0 to 65535");
  auto keys = server::ApiKeys::parse(c.api_keys);
  if (!keys) return keys.error();
  if (keys->empty() && !c.insecure && !server::is_loopback_host(c.host()))
    return Error::invalid("listen",
                          "no API keys are configured, so jobqd listens on loopback only; set "
                          "JOBQ_API_KEYS (or api_keys in the config file), or pass --insecure");
  if (c.max_buffered_bytes < c.max_body_bytes)
    return Error::invalid("max_buffered_bytes",
                          "must be at least max_body_bytes (" + std::to_string(c.max_body_bytes) +
                              "), or no body of the largest size could be read");
  for (const std::string& tier : keys->tiers())
    if (!c.tiers.contains(tier))
      return Error::invalid("api_keys", "a key names the tier \"" + tier +
                                            "\", which has no [tiers." + tier + "] table");
  if (!c.webhooks.empty() && c.webhook_secret.empty())
    return Error::invalid("webhook_secret",
                          "the config declares [[webhooks]]: set webhook_secret (or "
                          "JOBQ_WEBHOOK_SECRET) to sign them");
  if (!c.webhook_ca_file.empty() && !std::ifstream(c.webhook_ca_file))
    return Error::invalid("webhook_ca_file", "cannot read " + c.webhook_ca_file);
  if (c.webhook_backoff_max_ms < c.webhook_backoff_initial_ms)
    return Error::invalid("webhook_backoff_max_ms", "must be at least webhook_backoff_initial_ms");
  if (!c.default_tier.empty() && !c.tiers.contains(c.default_tier))
    return Error::invalid("default_tier", "no tier named \"" + c.default_tier +
                                              "\": declare it in a [tiers." + c.default_tier +
                                              "] table");
  return {};
}

}  // namespace jobq
