// The sqlite store's reads: each runs on a read connection of its own, never on the writer's.
#include <map>

#include "store/job_filter.h"
#include "store/sqlite/job_row.h"
#include "store/sqlite/sqlite_filter.h"
#include "store/sqlite/sqlite_store.h"

namespace jobq {

using sqlite::Database;
using sqlite::Statement;

Result<std::optional<Job>> SqliteStore::get(const std::string& id) {
  std::optional<Job> job;
  Status s = read([&](Database& db) {
    Statement& st = db.cached("SELECT " + sqlite::job_columns() + " FROM jobs WHERE id = ?");
    st.bind(1, id);
    if (st.step()) job = sqlite::read_job(st);
    st.reset();
  });
  if (!s.ok()) return s;
  return job;
}

Result<std::vector<Job>> SqliteStore::overdue(Millis now, std::size_t limit) {
  std::vector<Job> out;
  Status s = read([&](Database& db) {
    Statement& st = db.cached("SELECT " + sqlite::job_columns() +
                              " FROM jobs INDEXED BY jobs_running WHERE status = 'running' AND "
                              "(lease_expires_at <= ?1 OR (timeout_ms > 0 AND started_at + "
                              "timeout_ms <= ?1)) LIMIT ?2");
    st.bind(1, now).bind(2, std::int64_t(limit));
    while (st.step()) out.push_back(sqlite::read_job(st));
    st.reset();
  });
  if (!s.ok()) return s;
  return out;
}

Result<JobPage> SqliteStore::list(const JobFilter& filter, const ListOptions& options) {
  if (Status s = validate_list_options(options); !s.ok()) return s;
  std::optional<Cursor> cursor;
  if (!options.cursor.empty()) {
    auto c = decode_cursor(options.cursor);
    if (!c) return c.error();
    cursor = *c;
  }
  JobPage page;
  Status s = read([&](Database& db) {
    sqlite::Where where = sqlite::filter_where(filter);
    std::string order = sqlite::order_after_cursor(where, options, cursor ? &*cursor : nullptr);
    Statement st(db.handle(), "SELECT " + sqlite::job_columns() + " FROM jobs WHERE " + where.sql +
                                  " ORDER BY " + order + " LIMIT " +
                                  std::to_string(options.limit + 1));
    where.bind(st);
    while (st.step()) page.jobs.push_back(sqlite::read_job(st));
    if (page.jobs.size() > std::size_t(options.limit)) {
      page.jobs.pop_back();
      const Job& last = page.jobs.back();
      page.next_cursor = encode_cursor({sort_key(last, options.sort), last.seq});
    }
  });
  if (!s.ok()) return s;
  return page;
}

Result<StoreStats> SqliteStore::stats(std::size_t recent_runs) {
  StoreStats out;
  Status s = read([&](Database& db) {
    Statement& counts =
        db.cached("SELECT queue, type, status, count(*) FROM jobs GROUP BY status, queue, type");
    while (counts.step()) {
      if (auto status = parse_status(counts.text(2)))
        out.counts.push_back({counts.text(0), counts.text(1), *status, counts.int64(3)});
    }
    counts.reset();
    Statement& runs = db.cached(
        "SELECT type, completed_at - started_at, status = 'completed' FROM jobs "
        "WHERE completed_at > 0 AND started_at > 0 AND status IN ('completed', 'failed') "
        "ORDER BY completed_at DESC LIMIT ?");
    runs.bind(1, std::int64_t(recent_runs));
    while (runs.step())
      out.recent_runs.push_back({runs.text(0), runs.int64(1), runs.int64(2) != 0});
    runs.reset();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace jobq
