// The memory store: plain containers behind one mutex. The reference backend for tests and for
// `--store memory:`; nothing survives the process.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <unordered_map>

#include "store/limit_gate.h"
#include "store/ready_index.h"
#include "store/store.h"

namespace jobq {

class MemoryStore final : public Store, private WriteGroup {
 public:
  void write_async(WriteWork work, WriteDone done) override;
  bool has_ready(const LeaseRequest& request, Millis now) override;
  void set_user_caps(const std::map<std::string, std::int64_t>& by_tier) override;
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

 private:
  // WriteGroup: called only from the works write_async runs; each takes the store's lock.
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
  Result<std::optional<Job>> current(const std::string& id) override { return get(id); }
  Status add_deliveries(std::vector<Delivery> deliveries,
                        const std::vector<std::string>& ended) override;
  Result<std::vector<Delivery>> claim_deliveries(Millis now, Millis hold_ms,
                                                 std::size_t limit) override;
  Status settle_delivery(const std::string& id, const std::string& token,
                         const std::optional<Delivery>& next) override;
  Result<Delivery> redeliver(const std::string& id, Millis now) override;
  Result<Delivery> remove_delivery(const std::string& id) override;
  Result<std::size_t> purge_deliveries(Millis before, std::size_t limit) override;
  Status insert_schedule(const Schedule& schedule) override;
  Status update_schedule(const Schedule& schedule, Millis read_next_run_at) override;
  Result<Schedule> remove_schedule(const std::string& name) override;
  Result<std::optional<Schedule>> current_schedule(const std::string& name) override;
  Result<std::vector<SubmitOutcome>> fire_schedule(ScheduleFire fire) override;

  // submit() under a lock its caller holds (fire_schedule).
  Result<std::vector<SubmitOutcome>> submit_locked(std::vector<Job> jobs);
  Job* find(const std::string& id);
  std::optional<ReadyIndex::Entry> best_ready(const LeaseRequest& request, Millis now) const;
  // Every change to a stored job goes through here so that the indexes follow it.
  template <class F>
  auto modify(Job& job, F&& change);
  void index(const Job& job);
  void unindex(const Job& job);
  void erase(Job& job);
  class Dependents;
  // Every change to a stored delivery goes through these, so that its index follows it.
  void put_delivery(Delivery d);
  void drop_delivery(const std::string& id);
  void settle(const Job& finished, Millis now, const Retention& retention,
              std::vector<Job>& changed);

  std::mutex mutex_;
  std::int64_t next_seq_ = 1;
  std::map<std::int64_t, Job> jobs_;  // by seq
  std::unordered_map<std::string, std::int64_t> by_id_;
  std::unordered_map<std::string, std::int64_t> live_keys_;       // idempotency key of active jobs
  std::unordered_multimap<std::string, std::string> dependents_;  // dep id -> waiting job id
  ReadyIndex ready_;
  LimitGate gate_;
  std::unordered_map<std::string, RateBucket> quotas_;  // by take_quota's key
  std::set<std::pair<Millis, std::string>> quotas_by_at_;  // (bucket.at, key)
  std::set<std::pair<Millis, std::int64_t>> scheduled_;  // (run_at, seq)
  std::set<std::int64_t> running_;
  std::set<std::pair<Millis, std::int64_t>> finished_;  // (completed_at, seq)
  // Subsets of finished_, so that the sweeps touch only what they remove.
  std::set<std::pair<Millis, std::int64_t>> expiring_;      // (expires_at, seq), expires_at > 0
  std::set<std::pair<Millis, std::int64_t>> dead_letters_;  // (completed_at, seq), failed
  std::map<std::string, Schedule> schedules_;               // by name
  std::map<std::string, Delivery> deliveries_;              // by id: in creation order
  std::set<std::pair<Millis, std::string>> due_;            // (next_at, id), pending
  std::set<std::pair<Millis, std::string>> dead_;           // (updated_at, id), dead
};

}  // namespace jobq
