// jobqd's settings, from flags, then JOBQ_* environment variables, then a TOML file (--config):
// a flag beats the environment, which beats the file, which beats the defaults below.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "jobq/error.h"
#include "jobq/job.h"
#include "jobq/limits.h"
#include "jobq/schedule.h"
#include "jobq/store.h"
#include "jobq/webhooks.h"

namespace jobq {

// A schedule the TOML file declares ([schedules.NAME]); jobqd creates or updates it at start.
struct DeclaredSchedule {
  ScheduleSpec spec;
  bool sets_paused = false;  // else a pause made through the API stays
};

struct Config {
  std::string listen = "127.0.0.1:8080";
  std::string store = "sqlite://./jobq-data/jobq.db";
  SyncMode sync = SyncMode::full;
  std::string redis_prefix = "jobq:";  // every key of a redis:// store starts with it
  bool redis_allow_eviction = false;   // accept a Redis whose maxmemory-policy evicts keys
  std::string api_keys;                // KEY:ROLE,KEY:ROLE; none: loopback only
  bool insecure = false;               // allow a non-loopback address without keys
  std::string cors_origins;            // origin,origin: browser pages on them may call the API
  std::string allowed_hosts;           // name,name: Host names answered while no keys are set
  std::string log_format = "text";     // text or json
  std::string log_level = "info";
  std::size_t max_body_bytes = 2 << 20;
  std::size_t max_payload_bytes = 1 << 20;
  std::size_t max_buffered_bytes = 64 << 20;  // request bodies in memory, all connections
  int max_connections = 4096;
  int max_connections_per_client = 512;
  int io_threads = 0;  // 0: one per core
  int blocking_threads = 64;
  std::int64_t shutdown_grace_ms = 10'000;
  std::int64_t request_timeout_ms = 30'000;    // from a request's first byte to its last
  std::int64_t idle_timeout_ms = 60'000;       // a kept-alive connection between requests
  std::int64_t worker_lost_after_ms = 30'000;  // a worker with no beat for this long is lost
  // retain_completed_ms, retain_cancelled_ms, retain_failed_ms and dead_letter_cap, and each
  // queue's own from the TOML file's [queues.NAME] tables.
  Retention retention;
  std::vector<DeclaredSchedule> schedules;  // from the TOML file's [schedules.NAME] tables
  // From max_running and starts in [queues.NAME] and [types.NAME] tables; set at start.
  std::vector<LimitSetting> limits;
  // Users' submit quotas by tier, from [tiers.NAME] tables (submits = {count, period_ms}), and the
  // tier of a job with a user_id that names none (default_tier; empty: no quota).
  std::map<std::string, Rate> tiers;  // Rate{} for a tier with no submit quota
  std::map<std::string, std::int64_t> tier_max_running;  // from max_running in [tiers.NAME]
  std::string default_tier;
  // Webhooks (docs/operations.md "Webhooks"): on once webhook_secret is set, which signs them.
  std::string webhook_secret;
  std::string webhook_allow;  // CIDR ranges that may be called although private or loopback
  std::string webhook_ca_file;  // PEM roots trusted for https:// receivers; none: the system's
  std::int64_t webhook_timeout_ms = 10'000;
  int webhook_max_attempts = 10;
  std::int64_t webhook_backoff_initial_ms = 1000;
  std::int64_t webhook_backoff_max_ms = 3'600'000;
  std::int64_t webhook_retain_dead_ms = 7 * 86'400'000LL;
  int webhook_senders = 4;
  std::vector<WebhookHook> webhooks;  // from the TOML file's [[webhooks]] tables

  std::string host() const;
  std::uint16_t port() const;
};

// Sets one setting by its name (as in the TOML file) from text; the error names the setting.
Status apply_setting(Config& config, std::string_view name, std::string_view value);

// Sets one of a queue's own retention settings (retain_completed_ms, retain_cancelled_ms,
// retain_failed_ms, dead_letter_cap); the error names it as queues.QUEUE.NAME.
Status apply_queue_setting(Config& config, std::string_view queue, std::string_view name,
                           std::string_view value);

// The names apply_setting knows, for --help and for mapping JOBQ_<NAME> variables.
const std::vector<std::string_view>& setting_names();

// Reads a TOML file of settings into `config`: top-level keys, an [api_keys] table of KEY = "ROLE",
// [queues.NAME] tables of a queue's own settings (retention and limits), [types.NAME] tables of a
// type's limits, [schedules.NAME] tables of cron schedules (the fields of POST
// /api/v1/schedules, with `job` an inline table), and [[webhooks]] tables (url, queue, type,
// events).
Status apply_toml_file(Config& config, const std::string& path);

// Checks the whole: an address that parses, keys that parse, no open address without keys unless
// insecure, and limits that fit together.
Status validate(const Config& config);

}  // namespace jobq
