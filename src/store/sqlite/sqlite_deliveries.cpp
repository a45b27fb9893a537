// The sqlite store's webhook outbox: one row per delivery in the deliveries table.
#include "store/delivery_rules.h"
#include "store/sqlite/sqlite_store.h"

namespace jobq {

using sqlite::Database;
using sqlite::Statement;

namespace {

const std::string kColumns =
    "id, job_id, url, event, body, status, attempts, next_at, created_at, updated_at, "
    "last_status, last_error, token";

// A row, in kColumns' order; one that does not read is a store failure, not a user's error.
Delivery delivery_of(const Statement& st) {
  auto status = delivery_status_from_string(st.text(5));
  if (!status) throw sqlite::SqliteError("deliveries: unknown status " + st.text(5));
  return Delivery{st.text(0),        st.text(1),       st.text(2),  st.text(3),  st.text(4),
                  *status,           int(st.int64(6)), st.int64(7), st.int64(8), st.int64(9),
                  int(st.int64(10)), st.text(11),      st.text(12)};
}

template <class... Params>
std::vector<Delivery> load_deliveries(Database& db, const std::string& rest, Params... params) {
  Statement& st = db.cached("SELECT " + kColumns + " FROM deliveries " + rest);
  int i = 1;
  (st.bind(i++, params), ...);
  std::vector<Delivery> out;
  while (st.step()) out.push_back(delivery_of(st));
  st.reset();
  return out;
}

std::optional<Delivery> load_delivery(Database& db, const std::string& id) {
  auto found = load_deliveries(db, "WHERE id = ?", id);
  if (found.empty()) return std::nullopt;
  return std::move(found[0]);
}

void save_delivery(Database& db, const Delivery& d) {
  db.cached("INSERT OR REPLACE INTO deliveries (" + kColumns +
            ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(1, d.id)
      .bind(2, d.job_id)
      .bind(3, d.url)
      .bind(4, d.event)
      .bind(5, d.body)
      .bind(6, to_string(d.status))
      .bind(7, d.attempts)
      .bind(8, d.next_at)
      .bind(9, d.created_at)
      .bind(10, d.updated_at)
      .bind(11, d.last_status)
      .bind(12, d.last_error)
      .bind(13, d.token)
      .run();
}

void delete_delivery(Database& db, const std::string& id) {
  db.cached("DELETE FROM deliveries WHERE id = ?").bind(1, id).run();
}

}  // namespace

Status SqliteStore::add_deliveries(std::vector<Delivery> deliveries,
                                   const std::vector<std::string>&) {
  for (const Delivery& d : deliveries) save_delivery(*db_, d);
  return {};
}

Result<std::vector<Delivery>> SqliteStore::claim_deliveries(Millis now, Millis hold_ms,
                                                            std::size_t limit) {
  auto out = load_deliveries(*db_,
                             "INDEXED BY deliveries_due WHERE status = 'pending' AND next_at <= ? "
                             "ORDER BY next_at, id LIMIT ?",
                             now, std::int64_t(limit));
  for (Delivery& d : out) {
    claim(d, now, hold_ms);
    save_delivery(*db_, d);
  }
  return out;
}

Status SqliteStore::settle_delivery(const std::string& id, const std::string& token,
                                    const std::optional<Delivery>& next) {
  auto d = load_delivery(*db_, id);
  if (!d) return delivery_not_found(id);
  if (Status s = check_claim(*d, token); !s.ok()) return s;
  if (next)
    save_delivery(*db_, *next);
  else
    delete_delivery(*db_, id);
  return {};
}

Result<Delivery> SqliteStore::redeliver(const std::string& id, Millis now) {
  auto d = load_delivery(*db_, id);
  if (!d) return delivery_not_found(id);
  if (Status s = jobq::redeliver(*d, now); !s.ok()) return s;
  save_delivery(*db_, *d);
  return std::move(*d);
}

Result<Delivery> SqliteStore::remove_delivery(const std::string& id) {
  auto d = load_delivery(*db_, id);
  if (!d) return delivery_not_found(id);
  delete_delivery(*db_, id);
  return std::move(*d);
}

Result<std::size_t> SqliteStore::purge_deliveries(Millis before, std::size_t limit) {
  db_->cached(
         "DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries INDEXED BY "
         "deliveries_dead WHERE status = 'dead' AND updated_at < ? ORDER BY updated_at, id "
         "LIMIT ?)")
      .bind(1, before)
      .bind(2, std::int64_t(limit))
      .run();
  return std::size_t(sqlite3_changes(db_->handle()));
}

Result<std::optional<Delivery>> SqliteStore::get_delivery(const std::string& id) {
  std::optional<Delivery> out;
  Status s = read([&](Database& db) { out = load_delivery(db, id); });
  if (!s.ok()) return s;
  return out;
}

Result<DeliveryPage> SqliteStore::list_deliveries(const DeliveryFilter& filter) {
  // One statement per shape of filter (eight at most), as an empty string binds NULL.
  std::string where = "WHERE 1";
  if (!filter.cursor.empty()) where += " AND id < ?1";
  if (filter.status) where += " AND status = ?2";
  if (!filter.job_id.empty()) where += " AND job_id = ?3";
  DeliveryPage page;
  Status s = read([&](Database& db) {
    Statement& st = db.cached("SELECT " + kColumns + " FROM deliveries " + where +
                              " ORDER BY id DESC LIMIT ?4");
    if (!filter.cursor.empty()) st.bind(1, filter.cursor);
    if (filter.status) st.bind(2, to_string(*filter.status));
    if (!filter.job_id.empty()) st.bind(3, filter.job_id);
    st.bind(4, std::int64_t(filter.limit) + 1);  // one more: is there another page?
    while (st.step()) page.deliveries.push_back(delivery_of(st));
    st.reset();
  });
  if (!s.ok()) return s;
  if (page.deliveries.size() > filter.limit) {
    page.deliveries.pop_back();
    if (!page.deliveries.empty()) page.next_cursor = page.deliveries.back().id;
  }
  return page;
}

Result<std::optional<Millis>> SqliteStore::next_delivery_at() {
  std::optional<Millis> out;
  Status s = read([&](Database& db) {
    Statement& st = db.cached(
        "SELECT next_at FROM deliveries INDEXED BY deliveries_due WHERE status = 'pending' "
        "ORDER BY next_at LIMIT 1");
    if (st.step()) out = st.int64(0);
    st.reset();
  });
  if (!s.ok()) return s;
  return out;
}

Result<DeliveryCounts> SqliteStore::count_deliveries() {
  DeliveryCounts out;
  Status s = read([&](Database& db) {
    Statement& st = db.cached("SELECT status, count(*) FROM deliveries GROUP BY status");
    while (st.step()) (st.text(0) == "dead" ? out.dead : out.pending) = st.int64(1);
    st.reset();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace jobq
