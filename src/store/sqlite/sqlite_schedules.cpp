// The sqlite store's schedules: one row each, the record as JSON beside the columns the sweeps
// look up (next_run_at, paused).
#include <boost/json.hpp>

#include "store/schedule_fire.h"
#include "store/sqlite/sqlite_store.h"
#include "wire/schedule_json.h"

namespace jobq {

using sqlite::Database;
using sqlite::Statement;

namespace {

std::string record_of(const Schedule& s) {
  return boost::json::serialize(schedule_to_json(s));
}

// A row's record; one that does not read is a store failure, not a user's error.
Schedule schedule_of(const Statement& st, int col) {
  std::string text = st.text(col);
  boost::system::error_code ec;
  auto json = boost::json::parse(text, ec);
  if (ec) throw sqlite::SqliteError("a schedule record is not JSON: " + ec.message());
  auto s = schedule_from_json(json);
  if (!s) throw sqlite::SqliteError("a schedule record does not read: " + s.error().to_string());
  return std::move(*s);
}

std::optional<Schedule> load_schedule(Database& db, const std::string& name) {
  Statement& st = db.cached("SELECT record FROM schedules WHERE name = ?");
  st.bind(1, name);
  std::optional<Schedule> out;
  if (st.step()) out = schedule_of(st, 0);
  st.reset();
  return out;
}

void save_schedule(Database& db, const Schedule& s) {
  db.cached(
        "INSERT INTO schedules (name, record, next_run_at, paused) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (name) DO UPDATE SET record = excluded.record, "
        "next_run_at = excluded.next_run_at, paused = excluded.paused")
      .bind(1, s.spec.name)
      .bind(2, record_of(s))
      .bind(3, s.next_run_at)
      .bind(4, std::int64_t(s.spec.paused))
      .run();
}

}  // namespace

Status SqliteStore::insert_schedule(const Schedule& schedule) {
  if (load_schedule(*db_, schedule.spec.name))
    return Error(ErrorCode::conflict, "a schedule named " + schedule.spec.name + " exists", "name");
  save_schedule(*db_, schedule);
  return {};
}

Status SqliteStore::update_schedule(const Schedule& schedule, Millis read_next_run_at) {
  auto stored = load_schedule(*db_, schedule.spec.name);
  if (!stored) return Error::not_found("no schedule named " + schedule.spec.name);
  if (stored->next_run_at != read_next_run_at)
    return Error::conflict("schedule " + schedule.spec.name + " has fired since it was read");
  save_schedule(*db_, schedule);
  return {};
}

Result<Schedule> SqliteStore::remove_schedule(const std::string& name) {
  auto s = load_schedule(*db_, name);
  if (!s) return Error::not_found("no schedule named " + name);
  db_->cached("DELETE FROM schedules WHERE name = ?").bind(1, name).run();
  return std::move(*s);
}

Result<std::optional<Schedule>> SqliteStore::current_schedule(const std::string& name) {
  return load_schedule(*db_, name);
}

Result<std::vector<SubmitOutcome>> SqliteStore::fire_schedule(ScheduleFire fire) {
  auto s = load_schedule(*db_, fire.name);
  if (!s) return Error::not_found("no schedule named " + fire.name);
  if (Status fenced = check_fire(*s, fire); !fenced.ok()) return fenced;
  std::vector<SubmitOutcome> out;
  if (!fire.jobs.empty()) {
    auto submitted = submit(std::move(fire.jobs));
    if (!submitted) return submitted.error();
    out = std::move(*submitted);
  }
  move_on(*s, fire, out);
  save_schedule(*db_, *s);
  return out;
}

Result<std::optional<Schedule>> SqliteStore::get_schedule(const std::string& name) {
  std::optional<Schedule> out;
  Status s = read([&](Database& db) { out = load_schedule(db, name); });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<Schedule>> SqliteStore::list_schedules() {
  std::vector<Schedule> out;
  Status s = read([&](Database& db) {
    Statement& st = db.cached("SELECT record FROM schedules ORDER BY name");
    while (st.step()) out.push_back(schedule_of(st, 0));
    st.reset();
  });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<Schedule>> SqliteStore::due_schedules(Millis now, std::size_t limit) {
  std::vector<Schedule> out;
  Status s = read([&](Database& db) {
    Statement& st = db.cached(
        "SELECT record FROM schedules INDEXED BY schedules_due "
        "WHERE paused = 0 AND next_run_at > 0 AND next_run_at <= ? ORDER BY next_run_at LIMIT ?");
    st.bind(1, now).bind(2, std::int64_t(limit));
    while (st.step()) out.push_back(schedule_of(st, 0));
    st.reset();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace jobq
