// The flags of `jobq submit` that set a job's options, and their turning into a JobSpec.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "jobq/error.h"
#include "jobq/limits.h"
#include "jobq/requests.h"

namespace jobq::cli {

struct JobFlags {
  std::string queue;
  std::string priority;  // a number or low/normal/high/critical
  std::optional<int> max_attempts;
  std::string backoff;  // JSON object
  std::string timeout;
  std::string soft_timeout;
  std::string delay;
  std::string run_at;
  std::string user;
  std::string tier;
  std::vector<std::string> tags;
  std::string idempotency_key;
  std::vector<std::string> depends_on;
  std::string callback_url;
  std::string result_ttl;

  void add_to(CLI::App& command);
  // Errors name the flag (`--priority`).
  Result<JobSpec> to_spec(std::string type, std::string payload) const;
};

// "1500", "1500ms", "2s", "1.5m", "1h" -> milliseconds; a bare number is milliseconds.
Result<std::int64_t> parse_duration(const std::string& text, const std::string& flag);
// "10/1s", "100/1m", "5/500ms": COUNT/PERIOD, the period a duration as above.
Result<Rate> parse_rate(const std::string& text, const std::string& flag);
// RFC 3339, or milliseconds since the epoch.
Result<Millis> parse_instant(const std::string& text, const std::string& flag);

}  // namespace jobq::cli
