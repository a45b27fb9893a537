#include "store/redis/job_fields.h"

#include <charconv>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "store/json_lists.h"

namespace jobq::redis {

std::int64_t int_of(std::string_view s) {
  std::int64_t n = 0;
  if (s.empty()) return 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), n);
  // Lua writes whole numbers it computed with string.format('%d'); anything else is a bug.
  if (r.ec != std::errc() || r.ptr != s.data() + s.size())
    throw std::runtime_error("redis store: not an integer: " + std::string(s));
  return n;
}

std::string int_text(std::int64_t n) {
  return std::to_string(n);
}

std::string real_text(double d) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, r.ptr);
}

namespace {

std::string optional_text(const std::optional<std::int64_t>& v) {
  return v ? int_text(*v) : std::string();
}

double to_real(std::string_view s) {
  double d = 0;
  if (s.empty()) return 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), d);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size())
    throw std::runtime_error("redis store: not a number: " + std::string(s));
  return d;
}

// As common.lua's ZERO: these fields are at their zero at "0", every other one at "".
bool at_zero(std::string_view field, std::string_view value) {
  static const std::unordered_set<std::string_view> zero_is_0 = {
      "priority",           "progress",         "attempt",        "max_attempts",
      "backoff_initial_ms", "backoff_factor",   "backoff_max_ms", "backoff_jitter",
      "timeout_ms",         "soft_timeout_ms",  "run_at",         "lease_ms",
      "lease_expires_at",   "cancel_requested", "started_at",     "completed_at",
      "expires_at",         "result_ttl_ms"};
  return value.empty() || (value == "0" && zero_is_0.count(field) > 0);
}

}  // namespace

std::vector<std::string> submit_fields(const Job& j) {
  std::vector<std::string> all{
      "id",
      j.id,
      "type",
      j.type,
      "queue",
      j.queue,
      "priority",
      int_text(j.priority),
      "payload",
      j.payload,
      "stage",
      j.stage,
      "progress",
      real_text(j.progress),
      "progress_message",
      j.progress_message,
      "processed_items",
      optional_text(j.processed_items),
      "total_items",
      optional_text(j.total_items),
      "attempt",
      int_text(j.attempt),
      "max_attempts",
      int_text(j.max_attempts),
      "backoff_initial_ms",
      int_text(j.backoff.initial_ms),
      "backoff_factor",
      real_text(j.backoff.factor),
      "backoff_max_ms",
      int_text(j.backoff.max_ms),
      "backoff_jitter",
      real_text(j.backoff.jitter),
      "timeout_ms",
      int_text(j.timeout_ms),
      "soft_timeout_ms",
      int_text(j.soft_timeout_ms),
      "run_at",
      int_text(j.run_at),
      "worker_id",
      j.worker_id,
      "lease_token",
      j.lease_token,
      "lease_ms",
      int_text(j.lease_ms),
      "lease_expires_at",
      int_text(j.lease_expires_at),
      "cancel_requested",
      j.cancel_requested ? "1" : "0",
      "result",
      j.result,
      "errors",
      errors_json(j.errors),
      "user_id",
      j.user_id,
      "tags",
      strings_json(j.tags),
      "idempotency_key",
      j.idempotency_key,
      "depends_on",
      strings_json(j.depends_on),
      "callback_url",
      j.callback_url,
      "tier",
      j.tier,
      "created_at",
      int_text(j.created_at),
      "updated_at",
      int_text(j.updated_at),
      "started_at",
      int_text(j.started_at),
      "completed_at",
      int_text(j.completed_at),
      "expires_at",
      int_text(j.expires_at),
      "result_ttl_ms",
      int_text(j.result_ttl_ms),
  };
  // A field at its zero is left out: the scripts and job_from_fields read it as that zero.
  std::vector<std::string> kept;
  kept.reserve(all.size());
  for (std::size_t i = 0; i + 1 < all.size(); i += 2)
    if (!at_zero(all[i], all[i + 1])) {
      kept.push_back(std::move(all[i]));
      kept.push_back(std::move(all[i + 1]));
    }
  return kept;
}

Job job_from_fields(const redisReply& flat) {
  if (flat.type != REDIS_REPLY_ARRAY || flat.elements % 2 != 0)
    throw std::runtime_error("redis store: a job is not a list of fields");
  std::unordered_map<std::string_view, std::string_view> f;
  for (std::size_t i = 0; i + 1 < flat.elements; i += 2)
    f.emplace(text(at(flat, i)), text(at(flat, i + 1)));
  auto get = [&f](std::string_view name) -> std::string_view {
    auto it = f.find(name);
    return it == f.end() ? std::string_view() : it->second;
  };
  auto str = [&](std::string_view name) { return std::string(get(name)); };
  auto optional_int = [&](std::string_view name) -> std::optional<std::int64_t> {
    auto v = get(name);
    if (v.empty()) return std::nullopt;
    return int_of(v);
  };
  Job j;
  j.id = str("id");
  j.type = str("type");
  j.queue = str("queue");
  j.priority = int(int_of(get("priority")));
  j.payload = str("payload");
  auto status = parse_status(get("status"));
  if (!status) throw std::runtime_error("redis store: job " + j.id + " has no status");
  j.status = *status;
  j.stage = str("stage");
  j.progress = to_real(get("progress"));
  j.progress_message = str("progress_message");
  j.processed_items = optional_int("processed_items");
  j.total_items = optional_int("total_items");
  j.attempt = int(int_of(get("attempt")));
  j.max_attempts = int(int_of(get("max_attempts")));
  j.backoff.initial_ms = int_of(get("backoff_initial_ms"));
  j.backoff.factor = to_real(get("backoff_factor"));
  j.backoff.max_ms = int_of(get("backoff_max_ms"));
  j.backoff.jitter = to_real(get("backoff_jitter"));
  j.timeout_ms = int_of(get("timeout_ms"));
  j.soft_timeout_ms = int_of(get("soft_timeout_ms"));
  j.run_at = int_of(get("run_at"));
  j.worker_id = str("worker_id");
  j.lease_token = str("lease_token");
  j.lease_ms = int_of(get("lease_ms"));
  j.lease_expires_at = int_of(get("lease_expires_at"));
  j.cancel_requested = get("cancel_requested") == "1";
  j.result = str("result");
  j.errors = errors_from_json(str("errors"));
  j.user_id = str("user_id");
  j.tags = strings_from_json(str("tags"));
  j.idempotency_key = str("idempotency_key");
  j.depends_on = strings_from_json(str("depends_on"));
  j.callback_url = str("callback_url");
  j.tier = str("tier");
  j.created_at = int_of(get("created_at"));
  j.updated_at = int_of(get("updated_at"));
  j.started_at = int_of(get("started_at"));
  j.completed_at = int_of(get("completed_at"));
  j.expires_at = int_of(get("expires_at"));
  j.result_ttl_ms = int_of(get("result_ttl_ms"));
  j.seq = int_of(get("seq"));
  return j;
}

}  // namespace jobq::redis
