// The redis store: every job, index and counter in one Redis (under a key prefix), changed only
// by the Lua scripts in lua/, one atomic step per operation, so that any number of jobqd nodes may
// share it. Writes run on the store's writer threads, each with a connection of its own, so that
// concurrent writes reach Redis together and share its fsync (appendfsync always); writes
// posted one after another may therefore run in either order, as on two nodes. Reads take a
// connection from a pool. Nothing is kept in memory but the scripts' SHA1s.
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "jobq/store.h"
#include "store/redis/clock.h"
#include "store/redis/connection.h"
#include "store/redis/scripts.h"
#include "store/store.h"

namespace jobq {

class RedisStore final : public Store, private WriteGroup, private WorkerBook {
 public:
  // Connects, and refuses a Redis that may evict keys unless options allow it.
  // `local` is the clock the store's agreed clock (shared_clock) advances by between its reads
  // of Redis' time.
  static Result<std::unique_ptr<RedisStore>> open(const std::string& url, const Clock& local,
                                                  const StoreOptions& options);
  ~RedisStore() override;  // answers every write posted, then stops

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
  Result<std::vector<std::string>> owed_webhooks(Millis before, std::size_t limit) override;
  void note_webhooks() override;
  EventChannel* shared_events() override;
  Result<bool> claim_sweeps() override;
  const Clock* shared_clock() const override { return clock_.get(); }
  WorkerBook* shared_workers() override { return this; }
  // How long the sweeps' lock outlives a node that stopped renewing it (killed, cut off).
  static constexpr std::int64_t kSweepLockMs = 3000;

 private:
  RedisStore(redis::Address address, std::string prefix, const Clock& local);

  // WriteGroup: called only from the works write_async runs, on the writer thread.
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

  // WorkerBook: on pooled connections, from any thread.
  Result<WorkerEntry> beat(const std::string& id, const std::string& beat, int concurrency,
                           Millis now, Millis forget_before) override;
  Result<std::vector<WorkerEntry>> list(Millis forget_before) override;
  Result<WorkerEntry> scale(const std::string& id, int concurrency) override;
  Result<WorkerEntry> command(const std::string& id, const std::string& command) override;
  Result<WorkerEntry> worker_script(std::string_view name, const std::vector<std::string>& args);

  // A script on the writer's connection (writes) or a pooled one (reads).
  Result<redis::Reply> write_script(std::string_view name, const std::vector<std::string>& args);
  Result<redis::Reply> read_script(std::string_view name, const std::vector<std::string>& args);
  Result<redis::Reply> read_call(const std::vector<std::string>& args);
  Result<std::optional<Job>> get_on(redis::Connection& connection, const std::string& id);
  Result<std::vector<Job>> jobs_script(std::string_view name, const std::vector<std::string>& args);
  // The jobs of a submit as submit.lua (and fire_schedule.lua after its own) takes them, and its
  // answer.
  static void add_submit_jobs(std::vector<std::string>& args, const std::vector<Job>& jobs);
  static std::vector<SubmitOutcome> submit_outcomes(const redisReply& reply);
  // The users' running caps, for the scripts that lease (lease.lua, has_ready.lua).
  void add_user_caps(std::vector<std::string>& args) const;
  void writer_loop(redis::Connection& connection);
  redis::Connection& writer_connection();
  static constexpr int kWriters = 8;

  redis::Address address_;
  std::string node_;  // this process's id among those sharing the store
  redis::Scripts scripts_;

  // Connections for reads, taken and given back.
  class Pool;
  std::unique_ptr<Pool> pool_;

  struct Op {
    WriteWork work;
    WriteDone done;
  };
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Op> pending_;
  bool stopping_ = false;
  std::vector<std::thread> writers_;

  std::unique_ptr<Clock> clock_;
  std::map<std::string, std::int64_t> user_caps_;  // by tier, each > 0; set once at start

  std::mutex events_mutex_;
  std::unique_ptr<EventChannel> events_;  // opened by the first shared_events()
};

}  // namespace jobq
