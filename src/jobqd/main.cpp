// jobqd: wires a store, the engine, its sweeper and the HTTP server, then waits for SIGTERM.
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdlib>
#include <map>
#include <optional>

#include "jobq/engine.h"
#include "jobq/store.h"
#include "jobq/sweeper.h"
#include "jobqd/config.h"
#include "jobqd/declared_schedules.h"
#include "jobqd/logging.h"
#include "server/api.h"
#include "server/transport/http_server.h"
#include "server/transport/text.h"
#include "store/store.h"
#include "webhooks/sender.h"

namespace {

std::string env_name(std::string_view setting) {
  std::string name = "JOBQ_";
  for (char c : setting) name += char(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

std::string flag_name(std::string_view setting) {
  std::string name = "--";
  for (char c : setting) name += c == '_' ? '-' : c;
  return name;
}

// Flags beat JOBQ_* variables, which beat the TOML file.
jobq::Status load_config(jobq::Config& config, const std::string& file,
                         const std::map<std::string, std::string>& flags) {
  if (!file.empty())
    if (auto s = jobq::apply_toml_file(config, file); !s.ok()) return s;
  for (std::string_view name : jobq::setting_names())
    if (const char* value = std::getenv(env_name(name).c_str()))
      if (auto s = jobq::apply_setting(config, name, value); !s.ok())
        return jobq::Error::invalid(env_name(name), s.message());
  for (const auto& [name, value] : flags)
    if (!value.empty())
      if (auto s = jobq::apply_setting(config, name, value); !s.ok())
        return jobq::Error::invalid(flag_name(name), s.message());
  return jobq::validate(config);
}

jobq::WebhookOptions webhook_options(const jobq::Config& config) {
  jobq::WebhookOptions o;
  o.enabled = !config.webhook_secret.empty();
  o.hooks = config.webhooks;
  o.max_attempts = config.webhook_max_attempts;
  o.backoff = {config.webhook_backoff_initial_ms, 2.0, config.webhook_backoff_max_ms, 0.1};
  // Claimed again only when its sender is surely gone: well past a send's timeout.
  o.hold_ms = std::max<std::int64_t>(60'000, 2 * config.webhook_timeout_ms);
  o.dead_retention_ms = config.webhook_retain_dead_ms;
  return o;
}

int fail(const jobq::Error& e) {
  std::fprintf(stderr, "jobqd: %s\n", e.to_string().c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "jobqd: the jobq job server. Settings come from flags, then JOBQ_<NAME> "
      "environment variables, then the --config TOML file."};
  std::map<std::string, std::string> flags;
  for (std::string_view name : jobq::setting_names())
    if (name != "insecure" && name != "redis_allow_eviction")
      app.add_option(flag_name(name), flags[std::string(name)])
          ->description("(env " + env_name(name) + ")");
  bool insecure = false, allow_eviction = false;
  app.add_flag("--insecure", insecure, "listen on a non-loopback address without API keys");
  app.add_flag("--redis-allow-eviction", allow_eviction,
               "accept a Redis whose maxmemory-policy evicts keys (env "
               "JOBQ_REDIS_ALLOW_EVICTION)");
  std::string config_file = std::getenv("JOBQ_CONFIG") ? std::getenv("JOBQ_CONFIG") : "";
  app.add_option("--config", config_file, "TOML file of settings (env JOBQ_CONFIG)");
  CLI11_PARSE(app, argc, argv);
  if (insecure) flags["insecure"] = "true";
  if (allow_eviction) flags["redis_allow_eviction"] = "true";

  jobq::Config config;
  if (auto s = load_config(config, config_file, flags); !s.ok()) return fail(s);
  auto keys = jobq::server::ApiKeys::parse(config.api_keys);
  if (!keys) return fail(keys.error());
  jobq::setup_logging(config.log_format, config.log_level);

  // Every thread started from here on inherits this mask; main alone takes the signals.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  jobq::SystemClock system_clock;
  jobq::StoreOptions store_options;
  store_options.sync = config.sync;
  store_options.redis_prefix = config.redis_prefix;
  store_options.redis_allow_eviction = config.redis_allow_eviction;
  auto store = jobq::open_store(config.store, system_clock, store_options);
  if (!store) return fail(store.error());
  // On a store several nodes share, its clock (Redis'), so that they all judge leases alike.
  const jobq::Clock& clock = jobq::agreed_clock(**store, system_clock);
  jobq::EventBus bus;
  jobq::EngineOptions engine_options;
  engine_options.max_payload_bytes = config.max_payload_bytes;
  engine_options.retention = config.retention;
  engine_options.tiers = config.tiers;
  engine_options.default_tier = config.default_tier;
  engine_options.tier_max_running = config.tier_max_running;
  engine_options.webhooks = webhook_options(config);
  jobq::Engine engine(**store, clock, bus, engine_options);
  // The file's limits are what they say at each start; scopes it does not name keep theirs.
  for (const jobq::LimitSetting& declared : config.limits)
    if (auto s = engine.set_limits(declared); !s.ok()) return fail(s);
  if (auto s = jobq::apply_declared_schedules(engine, config.schedules); !s.ok()) return fail(s);
  jobq::Sweeper sweeper(engine, std::chrono::milliseconds(100), [](const jobq::Error& e) {
    spdlog::error("sweep: {}", e.to_string());  // a failed tick, or a schedule not run
  });

  // Declared before the server: its connections' coroutines, destroyed with it, still hold
  // streams and watches of these.
  jobq::server::JobWatchers watchers(bus);
  jobq::server::StreamHub streams(bus, clock);
  // On a shared store, the store's registry: every node sees every worker.
  jobq::server::WorkerRegistry workers(clock, config.worker_lost_after_ms, 3'600'000,
                                       (*store)->shared_workers());
  jobq::server::Throughput throughput(bus, clock);
  jobq::server::Metrics metrics(bus);
  jobq::server::HttpOptions http;
  http.host = config.host() == "localhost" ? "127.0.0.1" : config.host();
  http.port = config.port();
  http.io_threads = config.io_threads;
  http.blocking_threads = config.blocking_threads;
  http.max_body_bytes = config.max_body_bytes;
  http.max_buffered_bytes = config.max_buffered_bytes;
  http.request_timeout = std::chrono::milliseconds(config.request_timeout_ms);
  http.idle_timeout = std::chrono::milliseconds(config.idle_timeout_ms);
  http.max_connections = config.max_connections;
  http.max_connections_per_client = config.max_connections_per_client;
  http.cors_origins = jobq::server::split_list(config.cors_origins);
  http.allowed_hosts = jobq::server::split_list(config.allowed_hosts);
  jobq::server::HttpServer server(http, *keys);
  jobq::server::Api api{
      .engine = engine,
      .timers = server.timers(),
      .watchers = watchers,
      .streams = streams,
      .workers = workers,
      .throughput = throughput,
      .metrics = metrics,
      .run_blocking =
          [&server](std::function<void()> work) { server.run_blocking(std::move(work)); },
      .limits = {},
      // A read of an id that cannot exist: "not found" means the store answered.
      .ready =
          [&engine] {
            auto r = engine.get("00000000-0000-0000-0000-000000000000");
            return r.ok() || r.error().code() == jobq::ErrorCode::not_found;
          },
  };
  server.on_request([&metrics](const jobq::server::RequestRecord& r) {
    metrics.record_request(r.method, r.route.empty() ? "unmatched" : r.route, r.status);
    auto level = r.status >= 500 ? spdlog::level::err : spdlog::level::info;
    if (r.error.empty())
      spdlog::log(level, "request {} {} {} -> {} in {:.2f} ms", r.request_id, r.method, r.target,
                  r.status, r.ms);
    else
      spdlog::log(level, "request {} {} {} -> {} in {:.2f} ms: {}", r.request_id, r.method,
                  r.target, r.status, r.ms, r.error);
  });
  auto port = server.listen(jobq::server::make_router(api));
  if (!port) return fail(port.error());
  std::optional<jobq::webhooks::Sender> sender;
  if (engine_options.webhooks.enabled) {
    jobq::webhooks::SenderOptions o;
    o.secret = config.webhook_secret;
    o.policy = *jobq::webhooks::AddressPolicy::from_allow_list(config.webhook_allow);
    o.ca_file = config.webhook_ca_file;
    o.timeout = std::chrono::milliseconds(config.webhook_timeout_ms);
    o.threads = config.webhook_senders;
    sender.emplace(engine, bus, std::move(o),
                   [](const std::string& what) { spdlog::warn("{}", what); });
    sender->start();
  }
  // --sync is the sqlite store's; Redis' own appendfsync decides for the redis store.
  std::string sync = config.store.rfind("sqlite://", 0) == 0
                         ? (config.sync == jobq::SyncMode::full ? "sync=full, " : "sync=normal, ")
                         : "";
  spdlog::info("jobqd listening on http://{}:{} with store {} ({}{})", http.host, *port,
               jobq::printable_store_url(config.store), sync,
               keys->empty() ? "no API keys" : "API keys required");

  int signal = 0;
  sigwait(&signals, &signal);
  spdlog::info("{} received: finishing in-flight requests",
               signal == SIGTERM ? "SIGTERM" : "SIGINT");
  streams.finish_all();  // WebSocket watchers get a close frame, SSE watchers the end of the body
  server.shutdown(std::chrono::milliseconds(config.shutdown_grace_ms));
  if (sender) sender->stop();
  spdlog::info("jobqd stopped");
  return 0;
}
