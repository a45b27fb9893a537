#include "store/sqlite/schema.h"

#include <string>
#include <vector>

namespace jobq::sqlite {

namespace {

// migrations[i] takes the schema from version i to i + 1. Append only; never edit a shipped one.
const std::vector<std::string> kMigrations = {
    R"sql(
CREATE TABLE jobs (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  queue TEXT NOT NULL,
  priority INTEGER NOT NULL,
  status TEXT NOT NULL,
  payload TEXT NOT NULL,
  stage TEXT,
  progress REAL NOT NULL DEFAULT 0,
  progress_message TEXT,
  processed_items INTEGER,
  total_items INTEGER,
  attempt INTEGER NOT NULL,
  max_attempts INTEGER NOT NULL,
  backoff_initial_ms INTEGER NOT NULL,
  backoff_factor REAL NOT NULL,
  backoff_max_ms INTEGER NOT NULL,
  backoff_jitter INTEGER NOT NULL,
  timeout_ms INTEGER NOT NULL,
  soft_timeout_ms INTEGER NOT NULL,
  run_at INTEGER NOT NULL,
  worker_id TEXT,
  lease_token TEXT,
  lease_ms INTEGER NOT NULL,
  lease_expires_at INTEGER NOT NULL,
  cancel_requested INTEGER NOT NULL,
  result TEXT,
  errors TEXT,
  user_id TEXT,
  tags TEXT,
  idempotency_key TEXT,
  depends_on TEXT,
  callback_url TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  completed_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX jobs_status ON jobs(status, queue, type);
CREATE INDEX jobs_scheduled ON jobs(run_at) WHERE status = 'scheduled';
CREATE INDEX jobs_running ON jobs(lease_expires_at) WHERE status = 'running';
CREATE INDEX jobs_finished ON jobs(completed_at) WHERE completed_at > 0;
CREATE INDEX jobs_idempotency ON jobs(idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE TABLE dependencies (
  dep_id TEXT NOT NULL,
  job_id TEXT NOT NULL,
  PRIMARY KEY (dep_id, job_id)
) WITHOUT ROWID;
)sql",
    R"sql(
CREATE TABLE queues (
  name TEXT PRIMARY KEY,
  paused INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
    // A job's own retention, and one index for every way expires_at is decided.
    R"sql(
ALTER TABLE jobs ADD COLUMN result_ttl_ms INTEGER NOT NULL DEFAULT 0;
CREATE INDEX jobs_expiring ON jobs(expires_at) WHERE expires_at > 0;
)sql",
    // Cron schedules: the record as JSON (wire/schedule_json.h), and what the sweeps look up.
    R"sql(
CREATE TABLE schedules (
  name TEXT PRIMARY KEY,
  record TEXT NOT NULL,
  next_run_at INTEGER NOT NULL,
  paused INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX schedules_due ON schedules(next_run_at) WHERE paused = 0 AND next_run_at > 0;
)sql",
    // Limits per queue and per type, with where each rate's bucket stands (core/rate_bucket.h),
    // and the buckets of users' submit quotas.
    R"sql(
CREATE TABLE limits (
  scope TEXT NOT NULL,
  name TEXT NOT NULL,
  max_running INTEGER NOT NULL,
  starts_count INTEGER NOT NULL,
  starts_period_ms INTEGER NOT NULL,
  bucket_at INTEGER NOT NULL,
  bucket_rem INTEGER NOT NULL,
  PRIMARY KEY (scope, name)
) WITHOUT ROWID;
CREATE TABLE quotas (
  key TEXT PRIMARY KEY,
  bucket_at INTEGER NOT NULL,
  bucket_rem INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
    // The quota buckets by when they are full again, for purge_quotas.
    R"sql(
CREATE INDEX quotas_by_at ON quotas(bucket_at);
)sql",
    // Webhooks' outbox (include/jobq/webhooks.h). A rowid table, as a body can be large; the
    // indexes serve the claims and next_delivery_at (pending by next_at), the purge (dead by
    // updated_at) and the lists of one job's deliveries. Text columns may be NULL: Statement::bind
    // stores an empty string as NULL.
    R"sql(
CREATE TABLE deliveries (
  id TEXT PRIMARY KEY,
  job_id TEXT,
  url TEXT,
  event TEXT,
  body TEXT,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  last_status INTEGER NOT NULL,
  last_error TEXT,
  token TEXT
);
CREATE INDEX deliveries_due ON deliveries(next_at, id) WHERE status = 'pending';
CREATE INDEX deliveries_dead ON deliveries(updated_at, id) WHERE status = 'dead';
CREATE INDEX deliveries_by_job ON deliveries(job_id, id);
)sql",
    // A job's tier, for the users' running caps.
    R"sql(
ALTER TABLE jobs ADD COLUMN tier TEXT;
)sql",
};

int user_version(Database& db) {
  Statement st(db.handle(), "PRAGMA user_version");
  return st.step() ? int(st.int64(0)) : 0;
}

}  // namespace

void migrate(Database& db) {
  int version = user_version(db);
  if (version > int(kMigrations.size()))
    throw SqliteError("the database has schema version " + std::to_string(version) +
                      "; this jobq knows up to " + std::to_string(kMigrations.size()));
  for (; version < int(kMigrations.size()); ++version) {
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(kMigrations[version]);
      db.exec("PRAGMA user_version = " + std::to_string(version + 1));
      db.exec("COMMIT");
    } catch (...) {
      db.exec("ROLLBACK");
      throw;
    }
  }
}

}  // namespace jobq::sqlite
