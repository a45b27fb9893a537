#include "store/sqlite/job_row.h"

#include <boost/json.hpp>

namespace jobq::sqlite {

namespace json = boost::json;

namespace {

// Every column but seq, in binding order.
constexpr const char* kFields[] = {"id",
                                   "type",
                                   "queue",
                                   "priority",
                                   "status",
                                   "payload",
                                   "stage",
                                   "progress",
                                   "progress_message",
                                   "processed_items",
                                   "total_items",
                                   "attempt",
                                   "max_attempts",
                                   "backoff_initial_ms",
                                   "backoff_factor",
                                   "backoff_max_ms",
                                   "backoff_jitter",
                                   "timeout_ms",
                                   "soft_timeout_ms",
                                   "run_at",
                                   "worker_id",
                                   "lease_token",
                                   "lease_ms",
                                   "lease_expires_at",
                                   "cancel_requested",
                                   "result",
                                   "errors",
                                   "user_id",
                                   "tags",
                                   "idempotency_key",
                                   "depends_on",
                                   "callback_url",
                                   "created_at",
                                   "updated_at",
                                   "started_at",
                                   "completed_at",
                                   "expires_at"};
constexpr int kFieldCount = sizeof kFields / sizeof *kFields;

std::string columns() {
  std::string s = "seq";
  for (const char* f : kFields) s += std::string(", ") + f;
  return s;
}

std::string insert_sql() {
  std::string cols, params;
  for (int i = 0; i < kFieldCount; ++i) {
    cols += std::string(i ? ", " : "") + kFields[i];
    params += i ? ", ?" : "?";
  }
  return "INSERT INTO jobs (" + cols + ") VALUES (" + params + ")";
}

std::string update_sql() {
  std::string sets;
  for (int i = 1; i < kFieldCount; ++i)
    sets += std::string(i > 1 ? ", " : "") + kFields[i] + " = ?";
  return "UPDATE jobs SET " + sets + " WHERE seq = ?";
}

std::string strings_json(const std::vector<std::string>& items) {
  if (items.empty()) return {};
  json::array a;
  for (const auto& s : items) a.emplace_back(s);
  return json::serialize(a);
}

std::vector<std::string> strings_from(const std::string& text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  json::value parsed = json::parse(text);
  for (const auto& v : parsed.as_array()) out.emplace_back(v.as_string());
  return out;
}

std::string errors_json(const std::vector<JobError>& errors) {
  if (errors.empty()) return {};
  json::array a;
  for (const auto& e : errors)
    a.push_back(json::object{
        {"message", e.message}, {"traceback", e.traceback}, {"attempt", e.attempt}, {"at", e.at}});
  return json::serialize(a);
}

std::vector<JobError> errors_from(const std::string& text) {
  std::vector<JobError> out;
  if (text.empty()) return out;
  json::value parsed = json::parse(text);
  for (const auto& v : parsed.as_array()) {
    const auto& o = v.as_object();
    out.push_back({std::string(o.at("message").as_string()),
                   std::string(o.at("traceback").as_string()),
                   int(o.at("attempt").to_number<int>()), o.at("at").to_number<std::int64_t>()});
  }
  return out;
}

// Binds consecutive parameters, one call per column.
class Binder {
 public:
  Binder(Statement& st, int first) : st_(st), next_(first) {}
  template <class T>
  Binder& operator()(const T& value) {
    st_.bind(next_++, value);
    return *this;
  }
  Binder& operator()(const std::optional<std::int64_t>& value) {
    if (value)
      st_.bind(next_++, *value);
    else
      st_.bind_null(next_++);
    return *this;
  }
  int next() const { return next_; }

 private:
  Statement& st_;
  int next_;
};

// Binds every field but id, in kFields order, from parameter `first` on; answers the next one.
int bind_fields(Statement& st, const Job& j, int first) {
  Binder b(st, first);
  b(j.type)(j.queue)(j.priority)(to_string(j.status))(j.payload)(j.stage)(j.progress);
  b(j.progress_message)(j.processed_items)(j.total_items)(j.attempt)(j.max_attempts);
  b(j.backoff.initial_ms)(j.backoff.factor)(j.backoff.max_ms)(int(j.backoff.jitter));
  b(j.timeout_ms)(j.soft_timeout_ms)(j.run_at)(j.worker_id)(j.lease_token)(j.lease_ms);
  b(j.lease_expires_at)(int(j.cancel_requested))(j.result)(errors_json(j.errors))(j.user_id);
  b(strings_json(j.tags))(j.idempotency_key)(strings_json(j.depends_on))(j.callback_url);
  b(j.created_at)(j.updated_at)(j.started_at)(j.completed_at)(j.expires_at);
  return b.next();
}

}  // namespace

// Function-local statics: other files' statics are built from these at start-up.
const std::string& job_columns() {
  static const std::string s = columns();
  return s;
}
const std::string& insert_job_sql() {
  static const std::string s = insert_sql();
  return s;
}
const std::string& update_job_sql() {
  static const std::string s = update_sql();
  return s;
}

void bind_job_for_insert(Statement& st, const Job& job) {
  st.bind(1, job.id);
  bind_fields(st, job, 2);
}

void bind_job_for_update(Statement& st, const Job& job) {
  int next = bind_fields(st, job, 1);
  st.bind(next, job.seq);
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
  j.backoff.jitter = st.int64(c++) != 0;
  j.timeout_ms = st.int64(c++);
  j.soft_timeout_ms = st.int64(c++);
  j.run_at = st.int64(c++);
  j.worker_id = st.text(c++);
  j.lease_token = st.text(c++);
  j.lease_ms = st.int64(c++);
  j.lease_expires_at = st.int64(c++);
  j.cancel_requested = st.int64(c++) != 0;
  j.result = st.text(c++);
  j.errors = errors_from(st.text(c++));
  j.user_id = st.text(c++);
  j.tags = strings_from(st.text(c++));
  j.idempotency_key = st.text(c++);
  j.depends_on = strings_from(st.text(c++));
  j.callback_url = st.text(c++);
  j.created_at = st.int64(c++);
  j.updated_at = st.int64(c++);
  j.started_at = st.int64(c++);
  j.completed_at = st.int64(c++);
  j.expires_at = st.int64(c++);
  return j;
}

}  // namespace jobq::sqlite
