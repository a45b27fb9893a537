// The sqlite store's limits: kept in the limits table, enforced from the LimitGate beside the
// ready index; and the users' submit quotas, in the quotas table.
#include "store/sqlite/sqlite_store.h"

namespace jobq {

using sqlite::Statement;

void SqliteStore::reload_limits() {
  gate_.clear();
  Statement& limits = db_->cached(
      "SELECT scope, name, max_running, starts_count, starts_period_ms, bucket_at, bucket_rem "
      "FROM limits");
  while (limits.step()) {
    auto scope = limit_scope_from_string(limits.text(0));
    if (!scope) throw sqlite::SqliteError("limits: unknown scope " + limits.text(0));
    LimitSetting s{*scope, limits.text(1),
                   Limits{limits.int64(2), Rate{limits.int64(3), limits.int64(4)}}};
    gate_.restore(s, RateBucket{limits.int64(5), limits.int64(6)});
  }
  limits.reset();
  Statement& running = db_->cached(
      "SELECT queue, type, count(*) FROM jobs WHERE status = 'running' GROUP BY queue, type");
  while (running.step())
    gate_.count_running(running.text(0), running.text(1), int(running.int64(2)));
  running.reset();
  Statement& users = db_->cached(
      "SELECT tier, user_id, count(*) FROM jobs WHERE status = 'running' AND tier IS NOT NULL "
      "AND user_id IS NOT NULL GROUP BY tier, user_id");
  while (users.step()) {
    Job j;
    j.tier = users.text(0);
    j.user_id = users.text(1);
    gate_.count_user_running(running_cap_key(j), int(users.int64(2)));
  }
  users.reset();
}

void SqliteStore::set_user_caps(const std::map<std::string, std::int64_t>& by_tier) {
  std::lock_guard lock(ready_mutex_);
  gate_.set_user_caps(by_tier);
}

std::optional<ReadyIndex::Entry> SqliteStore::best_ready(const LeaseRequest& r, Millis now) {
  std::lock_guard lock(ready_mutex_);
  if (gate_.empty()) return ready_.best(r.queues, r.types);
  return ready_.best(
      r.queues, r.types,
      [&](const std::string& queue, const std::string& type) {
        return gate_.admits(queue, type, now);
      },
      [&](const std::string& user) { return gate_.admits_user(user); });
}

void SqliteStore::take_tokens(const Job& job, Millis now) {
  std::vector<std::pair<LimitGate::Key, RateBucket>> moved;
  {
    std::lock_guard lock(ready_mutex_);
    if (gate_.empty()) return;
    gate_.take(job.queue, job.type, now,
               [&](const LimitGate::Key& key, const RateBucket& b) { moved.emplace_back(key, b); });
  }
  for (const auto& [key, bucket] : moved)
    db_->cached("UPDATE limits SET bucket_at = ?, bucket_rem = ? WHERE scope = ? AND name = ?")
        .bind(1, bucket.at)
        .bind(2, bucket.rem)
        .bind(3, to_string(key.first))
        .bind(4, key.second)
        .run();
}

Status SqliteStore::set_limits(const LimitSetting& setting) {
  std::string scope(to_string(setting.scope));
  if (setting.limits.none()) {
    db_->cached("DELETE FROM limits WHERE scope = ? AND name = ?")
        .bind(1, scope)
        .bind(2, setting.name)
        .run();
  } else {
    RateBucket bucket;
    {
      std::lock_guard lock(ready_mutex_);
      bucket = gate_.kept_bucket(setting);
    }
    db_->cached(
           "INSERT INTO limits (scope, name, max_running, starts_count, starts_period_ms, "
           "bucket_at, bucket_rem) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (scope, name) DO "
           "UPDATE SET max_running = excluded.max_running, starts_count = excluded.starts_count, "
           "starts_period_ms = excluded.starts_period_ms, bucket_at = excluded.bucket_at, "
           "bucket_rem = excluded.bucket_rem")
        .bind(1, scope)
        .bind(2, setting.name)
        .bind(3, setting.limits.max_running)
        .bind(4, setting.limits.starts.count)
        .bind(5, setting.limits.starts.period_ms)
        .bind(6, bucket.at)
        .bind(7, bucket.rem)
        .run();
  }
  std::lock_guard lock(ready_mutex_);
  gate_.set(setting);
  return {};
}

Result<Millis> SqliteStore::take_quota(const std::string& key, const Rate& rate, std::int64_t n,
                                       Millis now) {
  Statement& read = db_->cached("SELECT bucket_at, bucket_rem FROM quotas WHERE key = ?");
  read.bind(1, key);
  RateBucket bucket;
  if (read.step()) bucket = {read.int64(0), read.int64(1)};
  read.reset();
  Millis wait = take_or_wait(bucket, rate, n, now);
  if (wait == 0)
    db_->cached(
           "INSERT INTO quotas (key, bucket_at, bucket_rem) VALUES (?, ?, ?) ON CONFLICT (key) "
           "DO UPDATE SET bucket_at = excluded.bucket_at, bucket_rem = excluded.bucket_rem")
        .bind(1, key)
        .bind(2, bucket.at)
        .bind(3, bucket.rem)
        .run();
  return wait;
}

Result<std::size_t> SqliteStore::purge_quotas(Millis now, std::size_t limit) {
  db_->cached(
         "DELETE FROM quotas WHERE key IN "
         "(SELECT key FROM quotas WHERE bucket_at < ? ORDER BY bucket_at LIMIT ?)")
      .bind(1, now)
      .bind(2, std::int64_t(limit))
      .run();
  return std::size_t(sqlite3_changes(db_->handle()));
}

Result<std::vector<LimitSetting>> SqliteStore::limits() {
  std::lock_guard lock(ready_mutex_);
  return gate_.all();
}

}  // namespace jobq
