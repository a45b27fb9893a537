// The sqlite store (the default): the jobs table in WAL mode is the durable record; one writer
// thread applies every change with group commit; ready jobs are indexed in memory per queue and
// type (rebuilt at open); reads run on their own connections.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "store/limit_gate.h"
#include "store/ready_index.h"
#include "store/sqlite/database.h"
#include "store/sqlite/job_row.h"
#include "store/sqlite/writer.h"
#include "store/store.h"

namespace jobq {

class SqliteStore final : public Store, private WriteGroup {
 public:
  // Throws sqlite::SqliteError when the file cannot be opened or migrated; open_store() catches.
  SqliteStore(const std::string& path, Millis now, const StoreOptions& options);
  ~SqliteStore() override;

  void write_async(WriteWork work, WriteDone done) override;
  bool has_ready(const LeaseRequest& request, Millis now) override;
  Result<std::vector<Job>> overdue(Millis now, std::size_t limit) override;
  Result<std::vector<std::string>> paused_queues() override;
  Result<std::vector<LimitSetting>> limits() override;
  Result<std::optional<Job>> get(const std::string& id) override;
  Result<JobPage> list(const JobFilter& filter, const ListOptions& options) override;
  Result<StoreStats> stats(std::size_t recent_runs) override;
  Result<std::optional<Schedule>> get_schedule(const std::string& name) override;
  Result<std::vector<Schedule>> list_schedules() override;
  Result<std::vector<Schedule>> due_schedules(Millis now, std::size_t limit) override;
  Result<std::optional<Delivery>> get_delivery(const std::string& id) override;
  Result<DeliveryPage> list_deliveries(const DeliveryFilter& filter) override;
  Result<std::optional<Millis>> next_delivery_at() override;
  Result<DeliveryCounts> count_deliveries() override;
  void set_user_caps(const std::map<std::string, std::int64_t>& by_tier) override;

  std::uint64_t commits() const { return writer_->commits(); }
  std::size_t ready_count();

 private:
  // WriteGroup: called only from the works write_async runs, inside their transaction.
  Result<std::vector<SubmitOutcome>> submit(std::vector<Job> jobs) override;
  Result<std::vector<Job>> lease(const LeaseRequest& request, Millis now) override;
  Result<Job> heartbeat(const std::string& id, const std::string& token, const Progress& progress,
                        Millis now) override;
  Result<std::vector<Result<Finished>>> complete_many(std::vector<Completion> completions,
                                                      Millis now,
                                                      const Retention& retention) override;
  Result<Finished> fail(const std::string& id, const std::string& token, const Failure& failure,
                        Millis now, const Retention& retention) override;
  Result<Finished> cancel(const std::string& id, Millis now, const Retention& retention) override;
  Result<Job> retry(const std::string& id, Millis now) override;
  Result<std::vector<Job>> retry_where(const JobFilter& filter, Millis now) override;
  Result<Job> update(const std::string& id, std::optional<int> priority,
                     std::optional<Millis> run_at, Millis now) override;
  Result<std::vector<Job>> promote_due(Millis now, std::size_t limit) override;
  Result<std::vector<Job>> purge(Millis before, const std::vector<JobStatus>& statuses,
                                 std::size_t limit) override;
  Result<Job> remove(const std::string& id) override;
  Result<std::vector<Job>> purge_expired(Millis now, std::size_t limit) override;
  Result<std::vector<Job>> trim_dead_letters(std::size_t cap, const std::string& queue,
                                             std::size_t limit) override;
  Status set_queue_paused(const std::string& queue, bool paused) override;
  Status set_limits(const LimitSetting& setting) override;
  Result<Millis> take_quota(const std::string& key, const Rate& rate, std::int64_t n,
                            Millis now) override;
  Result<std::size_t> purge_quotas(Millis now, std::size_t limit) override;
  Status add_deliveries(std::vector<Delivery> deliveries,
                        const std::vector<std::string>& ended) override;
  Result<std::vector<Delivery>> claim_deliveries(Millis now, Millis hold_ms,
                                                 std::size_t limit) override;
  Status settle_delivery(const std::string& id, const std::string& token,
                         const std::optional<Delivery>& next) override;
  Result<Delivery> redeliver(const std::string& id, Millis now) override;
  Result<Delivery> remove_delivery(const std::string& id) override;
  Result<std::size_t> purge_deliveries(Millis before, std::size_t limit) override;
  Result<std::optional<Job>> current(const std::string& id) override;
  Status insert_schedule(const Schedule& schedule) override;
  Status update_schedule(const Schedule& schedule, Millis read_next_run_at) override;
  Result<Schedule> remove_schedule(const std::string& name) override;
  Result<std::optional<Schedule>> current_schedule(const std::string& name) override;
  Result<std::vector<SubmitOutcome>> fire_schedule(ScheduleFire fire) override;

  class Dependents;

  // Runs `body` on a read connection of its own; a failure comes back as unavailable.
  Status read(const std::function<void(sqlite::Database&)>& body);

  // Writer thread only.
  std::optional<Job> load(const std::string& id);
  template <class... Params>
  std::vector<Job> load_where(const std::string& where_and_order, Params... params);
  void insert(Job& job);
  void save(const Job& before, const Job& after);
  void erase(const Job& job);
  void reload_memory_state();
  // Under ready_mutex_ (sqlite_limits.cpp): the limits and running counts from the tables.
  void reload_limits();
  std::optional<ReadyIndex::Entry> best_ready(const LeaseRequest& request, Millis now);
  // A job of this queue and type started: its buckets move, in the gate and in the table.
  void take_tokens(const Job& job, Millis now);
  std::vector<Job> settle(const Job& finished, Millis now, const Retention& retention);
  // Applies a token-fenced change to a running job. Writer thread only.
  template <class Change>
  Result<Finished> finish_running(const std::string& id, const std::string& token, Millis now,
                                  const Retention& retention, Change change);

  std::string path_;
  StoreOptions options_;
  std::unique_ptr<sqlite::Database> db_;  // the writer's connection
  std::mutex ready_mutex_;
  ReadyIndex ready_;
  LimitGate gate_;  // under ready_mutex_
  std::mutex readers_mutex_;
  std::vector<std::unique_ptr<sqlite::Database>> readers_;
  std::unique_ptr<sqlite::JobWriter> rows_;  // writer thread only
  std::int64_t dependency_links_ = 0;        // rows in the dependencies table; writer thread only
  std::int64_t dead_letters_ = 0;            // failed jobs; writer thread only
  std::unique_ptr<sqlite::Writer> writer_;   // last: its thread stops before the rest goes
};

template <class... Params>
std::vector<Job> SqliteStore::load_where(const std::string& where, Params... params) {
  sqlite::Statement& st = db_->cached("SELECT " + sqlite::job_columns() + " FROM jobs " + where);
  int i = 1;
  (st.bind(i++, params), ...);
  std::vector<Job> out;
  while (st.step()) out.push_back(sqlite::read_job(st));
  st.reset();
  return out;
}

}  // namespace jobq
