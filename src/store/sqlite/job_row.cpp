#include "store/sqlite/job_row.h"

#include "store/json_lists.h"

namespace jobq::sqlite {

namespace {

void bind_value(Statement& st, int i, std::int64_t v) {
  st.bind(i, v);
}
void bind_value(Statement& st, int i, int v) {
  st.bind(i, v);
}
void bind_value(Statement& st, int i, bool v) {
  st.bind(i, int(v));
}
void bind_value(Statement& st, int i, double v) {
  st.bind(i, v);
}
void bind_value(Statement& st, int i, std::string_view v) {
  st.bind(i, v);
}
void bind_value(Statement& st, int i, const std::optional<std::int64_t>& v) {
  if (v)
    st.bind(i, *v);
  else
    st.bind_null(i);
}

// One column of the jobs table: its name, how to bind it from a Job, and whether two jobs differ
// in it (compared on the Job's own fields, so unchanged JSON columns are never re-encoded).
struct Column {
  const char* name;
  void (*bind)(Statement& st, int param, const Job& job);
  bool (*same)(const Job& a, const Job& b);
};

#define JOBQ_COLUMN_AS(name, field, value)                                                  \
  Column {                                                                                  \
#name, [](Statement& st, int i, const Job& j) { bind_value(st, i, value); },              \
        [](const Job& a, const Job& b) {                                                      \
          auto get = [](const Job& j) -> decltype(auto) { return (field); };                  \
          return get(a) == get(b);                                                            \
        } \
  }
#define JOBQ_COLUMN(name) JOBQ_COLUMN_AS(name, j.name, j.name)

// Every column but seq, in the order read_job reads them.
const Column kColumns[] = {
    JOBQ_COLUMN(id),
    JOBQ_COLUMN(type),
    JOBQ_COLUMN(queue),
    JOBQ_COLUMN(priority),
    JOBQ_COLUMN_AS(status, j.status, to_string(j.status)),
    JOBQ_COLUMN(payload),
    JOBQ_COLUMN(stage),
    JOBQ_COLUMN(progress),
    JOBQ_COLUMN(progress_message),
    JOBQ_COLUMN(processed_items),
    JOBQ_COLUMN(total_items),
    JOBQ_COLUMN(attempt),
    JOBQ_COLUMN(max_attempts),
    JOBQ_COLUMN_AS(backoff_initial_ms, j.backoff.initial_ms, j.backoff.initial_ms),
    JOBQ_COLUMN_AS(backoff_factor, j.backoff.factor, j.backoff.factor),
    JOBQ_COLUMN_AS(backoff_max_ms, j.backoff.max_ms, j.backoff.max_ms),
    JOBQ_COLUMN_AS(backoff_jitter, j.backoff.jitter, j.backoff.jitter),
    JOBQ_COLUMN(timeout_ms),
    JOBQ_COLUMN(soft_timeout_ms),
    JOBQ_COLUMN(run_at),
    JOBQ_COLUMN(worker_id),
    JOBQ_COLUMN(lease_token),
    JOBQ_COLUMN(lease_ms),
    JOBQ_COLUMN(lease_expires_at),
    JOBQ_COLUMN(cancel_requested),
    JOBQ_COLUMN(result),
    JOBQ_COLUMN_AS(errors, j.errors, errors_json(j.errors)),
    JOBQ_COLUMN(user_id),
    JOBQ_COLUMN_AS(tags, j.tags, strings_json(j.tags)),
    JOBQ_COLUMN(idempotency_key),
    JOBQ_COLUMN_AS(depends_on, j.depends_on, strings_json(j.depends_on)),
    JOBQ_COLUMN(callback_url),
    JOBQ_COLUMN(created_at),
    JOBQ_COLUMN(updated_at),
    JOBQ_COLUMN(started_at),
    JOBQ_COLUMN(completed_at),
    JOBQ_COLUMN(expires_at),
    JOBQ_COLUMN(result_ttl_ms),
    JOBQ_COLUMN(tier),
};
#undef JOBQ_COLUMN
#undef JOBQ_COLUMN_AS
constexpr int kColumnCount = sizeof kColumns / sizeof *kColumns;
static_assert(kColumnCount <= 64, "changed-column masks are 64 bits");

std::string columns() {
  std::string s = "seq";
  for (const Column& c : kColumns) s += std::string(", ") + c.name;
  return s;
}

std::string insert_sql() {
  std::string cols, params;
  for (int i = 0; i < kColumnCount; ++i) {
    cols += std::string(i ? ", " : "") + kColumns[i].name;
    params += i ? ", ?" : "?";
  }
  return "INSERT INTO jobs (" + cols + ") VALUES (" + params + ")";
}

std::string update_sql(std::uint64_t mask) {
  std::string sets;
  for (int i = 0; i < kColumnCount; ++i)
    if (mask >> i & 1) sets += std::string(sets.empty() ? "" : ", ") + kColumns[i].name + " = ?";
  return "UPDATE jobs SET " + sets + " WHERE seq = ?";
}

}  // namespace

const std::string& job_columns() {
  static const std::string s = columns();  // function-local: other files' statics use it
  return s;
}

JobWriter::JobWriter(Database& db) : db_(db), insert_(db.handle(), insert_sql()) {}

JobWriter::~JobWriter() = default;

std::int64_t JobWriter::insert(const Job& job) {
  insert_.reset();
  for (int i = 0; i < kColumnCount; ++i) kColumns[i].bind(insert_, i + 1, job);
  insert_.run();
  return sqlite3_last_insert_rowid(db_.handle());
}

void JobWriter::update(const Job& before, const Job& after) {
  std::uint64_t mask = 0;
  for (int i = 0; i < kColumnCount; ++i)
    if (!kColumns[i].same(before, after)) mask |= std::uint64_t(1) << i;
  if (mask == 0) return;
  auto& st = updates_[mask];
  if (!st) st = std::make_unique<Statement>(db_.handle(), update_sql(mask));
  st->reset();
  int param = 1;
  for (int i = 0; i < kColumnCount; ++i)
    if (mask >> i & 1) kColumns[i].bind(*st, param++, after);
  st->bind(param, after.seq);
  st->run();
}

Job read_job(const Statement& st, int c) {
  Job j;
  j.seq = st.int64(c++);
  j.id = st.text(c++);
  j.type = st.text(c++);
  j.queue = st.text(c++);
  j.priority = int(st.int64(c++));
  j.status = parse_status(st.text(c++)).value_or(JobStatus::failed);
  j.payload = st.text(c++);
  j.stage = st.text(c++);
  j.progress = st.real(c++);
  j.progress_message = st.text(c++);
  if (!st.null(c)) j.processed_items = st.int64(c);
  ++c;
  if (!st.null(c)) j.total_items = st.int64(c);
  ++c;
  j.attempt = int(st.int64(c++));
  j.max_attempts = int(st.int64(c++));
  j.backoff.initial_ms = st.int64(c++);
  j.backoff.factor = st.real(c++);
  j.backoff.max_ms = st.int64(c++);
  j.backoff.jitter = st.real(c++);
  j.timeout_ms = st.int64(c++);
  j.soft_timeout_ms = st.int64(c++);
  j.run_at = st.int64(c++);
  j.worker_id = st.text(c++);
  j.lease_token = st.text(c++);
  j.lease_ms = st.int64(c++);
  j.lease_expires_at = st.int64(c++);
  j.cancel_requested = st.int64(c++) != 0;
  j.result = st.text(c++);
  j.errors = errors_from_json(st.text(c++));
  j.user_id = st.text(c++);
  j.tags = strings_from_json(st.text(c++));
  j.idempotency_key = st.text(c++);
  j.depends_on = strings_from_json(st.text(c++));
  j.callback_url = st.text(c++);
  j.created_at = st.int64(c++);
  j.updated_at = st.int64(c++);
  j.started_at = st.int64(c++);
  j.completed_at = st.int64(c++);
  j.expires_at = st.int64(c++);
  j.result_ttl_ms = st.int64(c++);
  j.tier = st.text(c++);
  return j;
}

}  // namespace jobq::sqlite
