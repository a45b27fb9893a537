#include "store/sqlite/sqlite_store.h"

#include <algorithm>
#include <filesystem>

#include "store/dependents.h"
#include "store/sqlite/job_row.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_filter.h"

namespace jobq {

using sqlite::Database;
using sqlite::SqliteError;
using sqlite::Statement;

namespace {

const std::string kSelectJob = "SELECT " + sqlite::job_columns() + " FROM jobs ";

}  // namespace

SqliteStore::SqliteStore(const std::string& path, Millis now, const StoreOptions& options)
    : path_(path), options_(options) {
  auto dir = std::filesystem::path(path).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir);
  db_ = std::make_unique<Database>(path, false);
  db_->exec("PRAGMA journal_mode = WAL");
  db_->exec(options.sync == SyncMode::full ? "PRAGMA synchronous = FULL"
                                           : "PRAGMA synchronous = NORMAL");
  db_->exec("PRAGMA temp_store = MEMORY");
  db_->exec("PRAGMA cache_size = -32768");  // 32 MiB
  sqlite::migrate(*db_);
  // Leases granted before a restart get a fresh term from it: the restart is not the worker's
  // fault, and its token stays valid.
  db_->cached("UPDATE jobs SET lease_expires_at = ? WHERE status = 'running'")
      .bind(1, now + options.restart_lease_ms)
      .run();
  reload_memory_state();
  rows_ = std::make_unique<sqlite::JobWriter>(*db_);
  writer_ =
      std::make_unique<sqlite::Writer>(*db_, options.max_group, [this] { reload_memory_state(); });
}

SqliteStore::~SqliteStore() {
  writer_.reset();
}

void SqliteStore::reload_memory_state() {
  Statement& st = db_->cached(
      "SELECT queue, type, priority, seq, tier, user_id FROM jobs WHERE status = 'queued'");
  Statement& paused = db_->cached("SELECT name FROM queues WHERE paused = 1");
  std::lock_guard lock(ready_mutex_);
  ready_.clear();
  while (st.step()) {
    Job j;
    j.tier = st.text(4);
    j.user_id = st.text(5);
    ready_.add(st.text(0), st.text(1), running_cap_key(j), {int(st.int64(2)), st.int64(3)});
  }
  st.reset();
  while (paused.step()) ready_.set_paused(paused.text(0), true);
  paused.reset();
  reload_limits();
  Statement& failed = db_->cached("SELECT count(*) FROM jobs WHERE status = 'failed'");
  dead_letters_ = failed.step() ? failed.int64(0) : 0;
  failed.reset();
}

std::size_t SqliteStore::ready_count() {
  std::lock_guard lock(ready_mutex_);
  return ready_.size();
}

void SqliteStore::write_async(WriteWork work, WriteDone done) {
  writer_->post([this, work = std::move(work)] { work(*this); }, std::move(done));
}

Result<std::optional<Job>> SqliteStore::current(const std::string& id) {
  return load(id);
}

Status SqliteStore::read(const std::function<void(Database&)>& body) {
  std::unique_ptr<Database> db;
  try {
    {
      std::lock_guard lock(readers_mutex_);
      if (!readers_.empty()) {
        db = std::move(readers_.back());
        readers_.pop_back();
      }
    }
    if (!db) {
      db = std::make_unique<Database>(path_, false);
      db->exec("PRAGMA query_only = 1");
    }
    body(*db);
    std::lock_guard lock(readers_mutex_);
    readers_.push_back(std::move(db));
    return {};
  } catch (const std::exception& e) {
    return Error::unavailable(std::string("store: read failed: ") + e.what());
  }
}

std::optional<Job> SqliteStore::load(const std::string& id) {
  Statement& st = db_->cached(kSelectJob + "WHERE id = ?");
  st.bind(1, id);
  std::optional<Job> job;
  if (st.step()) job = sqlite::read_job(st);
  st.reset();
  return job;
}

void SqliteStore::insert(Job& job) {
  job.seq = rows_->insert(job);
  if (job.status == JobStatus::queued) {
    std::lock_guard lock(ready_mutex_);
    ready_.add(job.queue, job.type, running_cap_key(job), {job.priority, job.seq});
  }
}

// The SQL first, the index after: if the SQL throws, the group rolls back and the index is rebuilt.
void SqliteStore::save(const Job& before, const Job& after) {
  rows_->update(before, after);
  dead_letters_ += (after.status == JobStatus::failed) - (before.status == JobStatus::failed);
  bool was_running = before.status == JobStatus::running;
  bool is_running = after.status == JobStatus::running;
  if (before.status != JobStatus::queued && after.status != JobStatus::queued &&
      was_running == is_running)
    return;
  std::lock_guard lock(ready_mutex_);
  if (was_running != is_running) {
    if (was_running) {
      gate_.count_running(before.queue, before.type, -1);
      gate_.count_user_running(running_cap_key(before), -1);
    }
    if (is_running) {
      gate_.count_running(after.queue, after.type, +1);
      gate_.count_user_running(running_cap_key(after), +1);
    }
  }
  if (before.status == JobStatus::queued)
    ready_.remove(before.queue, before.type, running_cap_key(before),
                  {before.priority, before.seq});
  if (after.status == JobStatus::queued)
    ready_.add(after.queue, after.type, running_cap_key(after), {after.priority, after.seq});
}

void SqliteStore::erase(const Job& job) {
  db_->cached("DELETE FROM jobs WHERE seq = ?").bind(1, job.seq).run();
  if (job.status == JobStatus::failed) --dead_letters_;
  if (job.status == JobStatus::queued) {
    std::lock_guard lock(ready_mutex_);
    ready_.remove(job.queue, job.type, running_cap_key(job), {job.priority, job.seq});
  }
}

// The sqlite store's view for settle_dependents.
class SqliteStore::Dependents final : public DependentsAccess {
 public:
  explicit Dependents(SqliteStore& store) : s_(store) {}
  std::vector<std::string> take_dependents(const std::string& dep_id) override {
    Statement& st = s_.db_->cached("SELECT job_id FROM dependencies WHERE dep_id = ?");
    st.bind(1, dep_id);
    std::vector<std::string> ids;
    while (st.step()) ids.push_back(st.text(0));
    st.reset();
    if (!ids.empty())
      s_.db_->cached("DELETE FROM dependencies WHERE dep_id = ?").bind(1, dep_id).run();
    return ids;
  }
  std::optional<Job> load(const std::string& id) override { return s_.load(id); }
  void save(const Job& before, const Job& after) override { s_.save(before, after); }

 private:
  SqliteStore& s_;
};

std::vector<Job> SqliteStore::settle(const Job& finished, Millis now, const Retention& retention) {
  if (dependency_links_ == 0) return {};  // the common case needs no query
  Dependents access(*this);
  return settle_dependents(finished, now, retention, access);
}

Result<std::vector<SubmitOutcome>> SqliteStore::submit(std::vector<Job> jobs) {
  // Dependencies are checked for the whole batch before anything is written.
  std::vector<std::vector<std::string>> pending(jobs.size());
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    for (const auto& dep : jobs[i].depends_on) {
      auto d = load(dep);
      if (!d) return Error::invalid("depends_on", "no job with id " + dep);
      if (d->status == JobStatus::failed || d->status == JobStatus::cancelled)
        return Error(ErrorCode::conflict,
                     "dependency " + dep + " is " + std::string(to_string(d->status)),
                     "depends_on");
      if (d->status != JobStatus::completed) pending[i].push_back(dep);
    }
  }
  std::vector<SubmitOutcome> out;
  out.reserve(jobs.size());
  Statement& live = db_->cached(kSelectJob +
                                "WHERE idempotency_key = ? AND status IN "
                                "('waiting', 'scheduled', 'queued', 'running')");
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    Job& job = jobs[i];
    if (!job.idempotency_key.empty()) {
      live.bind(1, job.idempotency_key);
      bool hit = live.step();
      if (hit) out.push_back({sqlite::read_job(live), false});
      live.reset();
      if (hit) continue;
    }
    job.status = initial_status(job, !pending[i].empty(), job.created_at);
    insert(job);
    for (const auto& dep : pending[i]) {
      db_->cached("INSERT OR IGNORE INTO dependencies (dep_id, job_id) VALUES (?, ?)")
          .bind(1, dep)
          .bind(2, job.id)
          .run();
      dependency_links_ += sqlite3_changes(db_->handle());
    }
    out.push_back({std::move(job), true});
  }
  return out;
}

Result<std::vector<Job>> SqliteStore::lease(const LeaseRequest& r, Millis now) {
  std::vector<Job> out;
  while (int(out.size()) < r.max_jobs) {
    std::optional<ReadyIndex::Entry> best = best_ready(r, now);
    if (!best) break;
    auto rows = load_where("WHERE seq = ?", best->seq);
    if (rows.empty()) {  // cannot happen while the index follows the table; heal it if it does
      reload_memory_state();
      continue;
    }
    Job job = rows.front();
    Job before = job;
    if (Status s = start(job, r.worker_id, r.lease_ms, now); !s.ok()) return s;
    save(before, job);
    take_tokens(job, now);
    out.push_back(std::move(job));
  }
  return out;
}

bool SqliteStore::has_ready(const LeaseRequest& r, Millis now) {
  return best_ready(r, now).has_value();
}

Result<Job> SqliteStore::heartbeat(const std::string& id, const std::string& token,
                                   const Progress& progress, Millis now) {
  auto job = load(id);
  if (!job) return job_not_found(id);
  if (Status s = check_lease(*job, token); !s.ok()) return s;
  Job before = *job;
  record_progress(*job, progress, now);
  save(before, *job);
  return *job;
}

template <class Change>
Result<Finished> SqliteStore::finish_running(const std::string& id, const std::string& token,
                                             Millis now, const Retention& retention,
                                             Change change) {
  auto job = load(id);
  if (!job) return job_not_found(id);
  if (Status s = check_lease(*job, token); !s.ok()) return s;
  Job before = *job;
  if (Status s = change(*job); !s.ok()) return s;
  save(before, *job);
  Finished out{*job, settle(*job, now, retention)};
  return out;
}

Result<std::vector<Result<Finished>>> SqliteStore::complete_many(std::vector<Completion> batch,
                                                                 Millis now,
                                                                 const Retention& retention) {
  std::vector<Result<Finished>> out;
  out.reserve(batch.size());
  for (Completion& c : batch)
    out.push_back(finish_running(c.id, c.lease_token, now, retention, [&](Job& j) {
      return jobq::complete(j, std::move(c.result_json), now, retention);
    }));
  return out;
}

Result<Finished> SqliteStore::fail(const std::string& id, const std::string& token,
                                   const Failure& failure, Millis now, const Retention& retention) {
  return finish_running(id, token, now, retention,
                        [&](Job& j) { return jobq::fail(j, failure, now, retention); });
}

Result<Finished> SqliteStore::cancel(const std::string& id, Millis now,
                                     const Retention& retention) {
  auto job = load(id);
  if (!job) return job_not_found(id);
  Job before = *job;
  if (Status s = jobq::cancel(*job, now, retention); !s.ok()) return s;
  save(before, *job);
  Finished out{*job, settle(*job, now, retention)};
  return out;
}

Result<Job> SqliteStore::retry(const std::string& id, Millis now) {
  auto job = load(id);
  if (!job) return job_not_found(id);
  Job before = *job;
  if (Status s = jobq::retry(*job, now); !s.ok()) return s;
  save(before, *job);
  return *job;
}

Result<std::vector<Job>> SqliteStore::retry_where(const JobFilter& filter, Millis now) {
  std::vector<Job> out;
  {
    sqlite::Where where = sqlite::filter_where(filter);
    where.sql += " AND status IN ('failed', 'cancelled')";
    Statement st(db_->handle(), kSelectJob + "WHERE " + where.sql + " ORDER BY seq");
    where.bind(st);
    while (st.step()) out.push_back(sqlite::read_job(st));
  }
  std::erase_if(out, [&](Job& job) {
    Job before = job;
    if (!jobq::retry(job, now).ok()) return true;
    save(before, job);
    return false;
  });
  return out;
}

Result<Job> SqliteStore::update(const std::string& id, std::optional<int> priority,
                                std::optional<Millis> run_at, Millis now) {
  auto job = load(id);
  if (!job) return job_not_found(id);
  Job before = *job;
  if (Status s = jobq::update(*job, priority, run_at, now); !s.ok()) return s;
  save(before, *job);
  return *job;
}

Status SqliteStore::set_queue_paused(const std::string& queue, bool paused) {
  db_->cached(
         "INSERT INTO queues (name, paused) VALUES (?, ?) "
         "ON CONFLICT (name) DO UPDATE SET paused = excluded.paused")
      .bind(1, queue)
      .bind(2, std::int64_t(paused))
      .run();
  std::lock_guard lock(ready_mutex_);
  ready_.set_paused(queue, paused);
  return {};
}

Result<std::vector<std::string>> SqliteStore::paused_queues() {
  std::lock_guard lock(ready_mutex_);
  return ready_.paused();
}

}  // namespace jobq
