#include "cli/job_flags.h"

#include <boost/json/parse.hpp>
#include <charconv>
#include <cmath>

#include "core/priority.h"
#include "core/time_format.h"
#include "wire/job_json.h"

namespace jobq::cli {

void JobFlags::add_to(CLI::App& c) {
  c.add_option("-q,--queue", queue, "queue (default: default)");
  c.add_option("-p,--priority", priority,
               "0..100, or low (10), normal (50), high (80), critical (100)");
  c.add_option("--max-attempts", max_attempts,
               "attempts before it is dead-lettered (server default 3)");
  c.add_option("--backoff", backoff,
               "retry backoff as JSON: "
               "{\"initial_ms\":1000,\"factor\":2,\"max_ms\":3600000,\"jitter\":true}");
  c.add_option("--timeout", timeout, "hard limit of one attempt (1500, 1500ms, 30s, 5m, 1h)");
  c.add_option("--soft-timeout", soft_timeout, "the worker is warned after this long");
  auto* d = c.add_option("--delay", delay, "run no sooner than this from now (30s, 5m)");
  auto* r = c.add_option("--run-at", run_at, "run no sooner than this time (RFC 3339 or epoch ms)");
  d->excludes(r);
  c.add_option("--user", user, "user id the job is for");
  c.add_option("--tier", tier, "the user's quota tier (jobqd's [tiers.NAME]); needs --user");
  c.add_option("-t,--tag", tags, "a label (repeatable)");
  c.add_option("--idempotency-key", idempotency_key,
               "while a job with this key is unfinished, a submit returns it instead");
  c.add_option("--depends-on", depends_on, "job id that must complete first (repeatable)")
      ->delimiter(',');
  c.add_option("--result-ttl", result_ttl,
               "keep the job this long once completed (1h, 7d), instead of its queue's retention");
  c.add_option(
      "--callback-url", callback_url,
      "callback_url: an http:// or https:// URL POSTed to when the job ends (needs a jobqd with "
      "webhook_secret)");
}

Result<std::int64_t> parse_duration(const std::string& text, const std::string& flag) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  std::string unit(end, text.data() + text.size());
  double scale = unit.empty() || unit == "ms" ? 1
                 : unit == "s"                ? 1000
                 : unit == "m"                ? 60'000
                 : unit == "h"                ? 3'600'000
                 : unit == "d"                ? 86'400'000
                                              : -1;
  if (ec != std::errc() || end == text.data() || scale < 0 || !(value >= 0))
    return Error::invalid(
        flag, "\"" + text + "\" is not a duration (a number of ms, or with ms, s, m, h or d)");
  return static_cast<std::int64_t>(std::llround(value * scale));
}

Result<Rate> parse_rate(const std::string& text, const std::string& flag) {
  auto refused = [&] {
    return Error::invalid(
        flag, "\"" + text + "\" is not COUNT/PERIOD (such as 10/1s, 100/1m or 5/500ms)");
  };
  std::size_t slash = text.find('/');
  if (slash == std::string::npos) return refused();
  Rate r;
  const char* end = text.data() + slash;
  auto [count_end, ec] = std::from_chars(text.data(), end, r.count);
  if (ec != std::errc() || count_end != end || slash == 0) return refused();
  auto period = parse_duration(text.substr(slash + 1), flag);
  if (!period) return refused();
  r.period_ms = *period;
  return r;
}

Result<Millis> parse_instant(const std::string& text, const std::string& flag) {
  if (auto t = parse_time(text)) return *t;
  Millis ms = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
  if (ec == std::errc() && end == text.data() + text.size() && ms >= 0) return ms;
  return Error::invalid(flag, "\"" + text +
                                  "\" is not a time (RFC 3339 such as 2026-11-22T10:04:05Z, or "
                                  "milliseconds since the epoch)");
}

Result<JobSpec> JobFlags::to_spec(std::string type, std::string payload) const {
  JobSpec spec;
  spec.type = std::move(type);
  spec.payload = std::move(payload);
  if (!queue.empty()) spec.queue = queue;
  if (!priority.empty()) {
    int p = 0;
    auto [end, ec] = std::from_chars(priority.data(), priority.data() + priority.size(), p);
    if (ec == std::errc() && end == priority.data() + priority.size())
      spec.priority = p;
    else if (auto alias = priority_from_alias(priority))
      spec.priority = *alias;
    else
      return Error::invalid(
          "--priority", "\"" + priority + "\" is neither 0..100 nor low, normal, high, critical");
  }
  spec.max_attempts = max_attempts;
  if (!backoff.empty()) {
    boost::system::error_code ec;
    auto json = boost::json::parse(backoff, ec);
    if (ec) return Error::invalid("--backoff", "not valid JSON: " + ec.message());
    auto b = backoff_from_json(json, "--backoff", UnknownFields::refused);
    if (!b) return b.error();
    spec.backoff = *b;
  }
  auto duration = [](const std::string& text, const std::string& flag,
                     std::int64_t& out) -> Status {
    if (text.empty()) return {};
    auto ms = parse_duration(text, flag);
    if (!ms) return ms.error();
    out = *ms;
    return {};
  };
  if (Status s = duration(timeout, "--timeout", spec.timeout_ms); !s.ok()) return s;
  if (Status s = duration(soft_timeout, "--soft-timeout", spec.soft_timeout_ms); !s.ok()) return s;
  if (Status s = duration(result_ttl, "--result-ttl", spec.result_ttl_ms); !s.ok()) return s;
  if (!delay.empty()) {
    std::int64_t ms = 0;
    if (Status s = duration(delay, "--delay", ms); !s.ok()) return s;
    spec.delay_ms = ms;
  }
  if (!run_at.empty()) {
    auto t = parse_instant(run_at, "--run-at");
    if (!t) return t.error();
    spec.run_at = *t;
  }
  spec.user_id = user;
  spec.tier = tier;
  spec.tags = tags;
  spec.idempotency_key = idempotency_key;
  spec.depends_on = depends_on;
  spec.callback_url = callback_url;
  return spec;
}

}  // namespace jobq::cli
