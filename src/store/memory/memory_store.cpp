#include "store/memory/memory_store.h"

#include <algorithm>

#include "store/dependents.h"
#include "store/job_filter.h"

namespace jobq {

Job* MemoryStore::find(const std::string& id) {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &jobs_.at(it->second);
}

void MemoryStore::index(const Job& j) {
  switch (j.status) {
    case JobStatus::queued:
      ready_.add(j.queue, j.type, running_cap_key(j), {j.priority, j.seq});
      break;
    case JobStatus::scheduled:
      scheduled_.insert({j.run_at, j.seq});
      break;
    case JobStatus::running:
      running_.insert(j.seq);
      gate_.count_running(j.queue, j.type, +1);
      gate_.count_user_running(running_cap_key(j), +1);
      break;
    case JobStatus::waiting:
      break;
    default:
      finished_.insert({j.completed_at, j.seq});
      if (j.expires_at > 0) expiring_.insert({j.expires_at, j.seq});
      if (j.status == JobStatus::failed) dead_letters_.insert({j.completed_at, j.seq});
  }
  if (is_active(j.status) && !j.idempotency_key.empty()) live_keys_[j.idempotency_key] = j.seq;
}

void MemoryStore::unindex(const Job& j) {
  ready_.remove(j.queue, j.type, running_cap_key(j), {j.priority, j.seq});
  scheduled_.erase({j.run_at, j.seq});
  if (running_.erase(j.seq)) {
    gate_.count_running(j.queue, j.type, -1);
    gate_.count_user_running(running_cap_key(j), -1);
  }
  finished_.erase({j.completed_at, j.seq});
  expiring_.erase({j.expires_at, j.seq});
  dead_letters_.erase({j.completed_at, j.seq});
  if (!j.idempotency_key.empty()) {
    auto it = live_keys_.find(j.idempotency_key);
    if (it != live_keys_.end() && it->second == j.seq) live_keys_.erase(it);
  }
}

template <class F>
auto MemoryStore::modify(Job& job, F&& change) {
  unindex(job);
  auto status = change(job);
  index(job);
  return status;
}

void MemoryStore::erase(Job& job) {
  unindex(job);
  by_id_.erase(job.id);
  jobs_.erase(job.seq);
}

Result<std::vector<SubmitOutcome>> MemoryStore::submit(std::vector<Job> jobs) {
  std::lock_guard lock(mutex_);
  return submit_locked(std::move(jobs));
}

Result<std::vector<SubmitOutcome>> MemoryStore::submit_locked(std::vector<Job> jobs) {
  // Check every dependency first: all-or-nothing.
  for (const Job& job : jobs) {
    for (const auto& dep : job.depends_on) {
      const Job* d = find(dep);
      if (!d) return Error::invalid("depends_on", "no job with id " + dep);
      if (d->status == JobStatus::failed || d->status == JobStatus::cancelled)
        return Error(ErrorCode::conflict,
                     "dependency " + dep + " is " + std::string(to_string(d->status)),
                     "depends_on");
    }
  }
  std::vector<SubmitOutcome> out;
  out.reserve(jobs.size());
  for (Job& job : jobs) {
    if (!job.idempotency_key.empty()) {
      if (auto it = live_keys_.find(job.idempotency_key); it != live_keys_.end()) {
        out.push_back({jobs_.at(it->second), false});
        continue;
      }
    }
    bool pending = false;
    for (const auto& dep : job.depends_on) {
      if (find(dep)->status != JobStatus::completed) {
        pending = true;
        dependents_.emplace(dep, job.id);
      }
    }
    job.status = initial_status(job, pending, job.created_at);
    job.seq = next_seq_++;
    by_id_[job.id] = job.seq;
    Job& stored = jobs_.emplace(job.seq, std::move(job)).first->second;
    index(stored);
    out.push_back({stored, true});
  }
  return out;
}

std::optional<ReadyIndex::Entry> MemoryStore::best_ready(const LeaseRequest& r, Millis now) const {
  if (gate_.empty()) return ready_.best(r.queues, r.types);
  return ready_.best(
      r.queues, r.types,
      [&](const std::string& queue, const std::string& type) {
        return gate_.admits(queue, type, now);
      },
      [&](const std::string& user) { return gate_.admits_user(user); });
}

void MemoryStore::set_user_caps(const std::map<std::string, std::int64_t>& by_tier) {
  std::lock_guard lock(mutex_);
  gate_.set_user_caps(by_tier);
}

Result<std::vector<Job>> MemoryStore::lease(const LeaseRequest& r, Millis now) {
  std::lock_guard lock(mutex_);
  std::vector<Job> out;
  while (int(out.size()) < r.max_jobs) {
    auto best = best_ready(r, now);
    if (!best) break;
    Job& job = jobs_.at(best->seq);
    Status s = modify(job, [&](Job& j) { return start(j, r.worker_id, r.lease_ms, now); });
    if (!s.ok()) return s;
    gate_.take(job.queue, job.type, now, [](const auto&, const auto&) {});
    out.push_back(job);
  }
  return out;
}

bool MemoryStore::has_ready(const LeaseRequest& r, Millis now) {
  std::lock_guard lock(mutex_);
  return best_ready(r, now).has_value();
}

Result<Job> MemoryStore::heartbeat(const std::string& id, const std::string& token,
                                   const Progress& progress, Millis now) {
  std::lock_guard lock(mutex_);
  Job* job = find(id);
  if (!job) return job_not_found(id);
  if (Status s = check_lease(*job, token); !s.ok()) return s;
  record_progress(*job, progress, now);
  return *job;
}

Result<std::vector<Result<Finished>>> MemoryStore::complete_many(std::vector<Completion> batch,
                                                                 Millis now,
                                                                 const Retention& retention) {
  std::lock_guard lock(mutex_);
  std::vector<Result<Finished>> out;
  out.reserve(batch.size());
  for (Completion& c : batch) {
    Job* job = find(c.id);
    if (!job) {
      out.push_back(job_not_found(c.id));
      continue;
    }
    Status s = check_lease(*job, c.lease_token);
    if (s.ok())
      s = modify(*job, [&](Job& j) {
        return jobq::complete(j, std::move(c.result_json), now, retention);
      });
    if (!s.ok()) {
      out.push_back(s);
      continue;
    }
    Finished done{*job, {}};
    settle(*job, now, retention, done.dependents);
    out.push_back(std::move(done));
  }
  return out;
}

Result<Finished> MemoryStore::fail(const std::string& id, const std::string& token,
                                   const Failure& failure, Millis now, const Retention& retention) {
  std::lock_guard lock(mutex_);
  Job* job = find(id);
  if (!job) return job_not_found(id);
  if (Status s = check_lease(*job, token); !s.ok()) return s;
  Status s = modify(*job, [&](Job& j) { return jobq::fail(j, failure, now, retention); });
  if (!s.ok()) return s;
  Finished out{*job, {}};
  settle(*job, now, retention, out.dependents);
  return out;
}

Result<Finished> MemoryStore::cancel(const std::string& id, Millis now,
                                     const Retention& retention) {
  std::lock_guard lock(mutex_);
  Job* job = find(id);
  if (!job) return job_not_found(id);
  Status s = modify(*job, [&](Job& j) { return jobq::cancel(j, now, retention); });
  if (!s.ok()) return s;
  Finished out{*job, {}};
  settle(*job, now, retention, out.dependents);
  return out;
}

// The memory store's view for settle_dependents.
class MemoryStore::Dependents final : public DependentsAccess {
 public:
  explicit Dependents(MemoryStore& store) : s_(store) {}
  std::vector<std::string> take_dependents(const std::string& dep_id) override {
    auto range = s_.dependents_.equal_range(dep_id);
    std::vector<std::string> ids;
    for (auto it = range.first; it != range.second; ++it) ids.push_back(it->second);
    s_.dependents_.erase(range.first, range.second);
    return ids;
  }
  std::optional<Job> load(const std::string& id) override {
    const Job* job = s_.find(id);
    return job ? std::optional<Job>(*job) : std::nullopt;
  }
  void save(const Job&, const Job& after) override {
    s_.modify(*s_.find(after.id), [&](Job& j) {
      j = after;
      return 0;
    });
  }

 private:
  MemoryStore& s_;
};

void MemoryStore::settle(const Job& finished, Millis now, const Retention& retention,
                         std::vector<Job>& changed) {
  Dependents access(*this);
  changed = settle_dependents(finished, now, retention, access);
}

Result<Job> MemoryStore::retry(const std::string& id, Millis now) {
  std::lock_guard lock(mutex_);
  Job* job = find(id);
  if (!job) return job_not_found(id);
  Status s = modify(*job, [&](Job& j) { return jobq::retry(j, now); });
  if (!s.ok()) return s;
  return *job;
}

Result<std::vector<Job>> MemoryStore::retry_where(const JobFilter& filter, Millis now) {
  std::lock_guard lock(mutex_);
  std::vector<Job> out;
  for (auto& [seq, job] : jobs_) {
    if ((job.status != JobStatus::failed && job.status != JobStatus::cancelled) ||
        !matches(job, filter))
      continue;
    if (modify(job, [&](Job& j) { return jobq::retry(j, now); }).ok()) out.push_back(job);
  }
  return out;
}

Result<Job> MemoryStore::update(const std::string& id, std::optional<int> priority,
                                std::optional<Millis> run_at, Millis now) {
  std::lock_guard lock(mutex_);
  Job* job = find(id);
  if (!job) return job_not_found(id);
  Status s = modify(*job, [&](Job& j) { return jobq::update(j, priority, run_at, now); });
  if (!s.ok()) return s;
  return *job;
}

Result<std::vector<Job>> MemoryStore::promote_due(Millis now, std::size_t limit) {
  std::lock_guard lock(mutex_);
  std::vector<Job> out;
  while (!scheduled_.empty() && scheduled_.begin()->first <= now && out.size() < limit) {
    Job& job = jobs_.at(scheduled_.begin()->second);
    Status s = modify(job, [&](Job& j) { return promote(j, now); });
    if (!s.ok()) return s;
    out.push_back(job);
  }
  return out;
}

Result<std::vector<Job>> MemoryStore::overdue(Millis now, std::size_t limit) {
  std::lock_guard lock(mutex_);
  std::vector<Job> out;
  for (std::int64_t seq : running_) {
    const Job& j = jobs_.at(seq);
    bool timed_out = j.timeout_ms > 0 && j.started_at + j.timeout_ms <= now;
    if (j.lease_expires_at <= now || timed_out) out.push_back(j);
    if (out.size() >= limit) break;
  }
  return out;
}

Result<std::vector<Job>> MemoryStore::purge(Millis before, const std::vector<JobStatus>& statuses,
                                            std::size_t limit) {
  std::lock_guard lock(mutex_);
  std::vector<Job> out;
  for (auto it = finished_.begin();
       it != finished_.end() && it->first < before && out.size() < limit;) {
    Job& job = jobs_.at((it++)->second);
    if (std::find(statuses.begin(), statuses.end(), job.status) == statuses.end()) continue;
    out.push_back(job);
    erase(job);
  }
  return out;
}

Status MemoryStore::set_queue_paused(const std::string& queue, bool paused) {
  std::lock_guard lock(mutex_);
  ready_.set_paused(queue, paused);
  return {};
}

Result<std::vector<std::string>> MemoryStore::paused_queues() {
  std::lock_guard lock(mutex_);
  return ready_.paused();
}

Status MemoryStore::set_limits(const LimitSetting& setting) {
  std::lock_guard lock(mutex_);
  gate_.set(setting);
  return {};
}

Result<Millis> MemoryStore::take_quota(const std::string& key, const Rate& rate, std::int64_t n,
                                       Millis now) {
  std::lock_guard lock(mutex_);
  auto it = quotas_.find(key);
  RateBucket bucket = it == quotas_.end() ? RateBucket{} : it->second;
  Millis wait = take_or_wait(bucket, rate, n, now);
  if (wait != 0) return wait;  // nothing taken: nothing to keep
  if (it != quotas_.end()) quotas_by_at_.erase({it->second.at, key});
  quotas_[key] = bucket;
  quotas_by_at_.insert({bucket.at, key});
  return wait;
}

Result<std::size_t> MemoryStore::purge_quotas(Millis now, std::size_t limit) {
  std::lock_guard lock(mutex_);
  std::size_t dropped = 0;
  for (auto it = quotas_by_at_.begin();
       it != quotas_by_at_.end() && it->first < now && dropped < limit; ++dropped) {
    quotas_.erase(it->second);
    it = quotas_by_at_.erase(it);
  }
  return dropped;
}

Result<std::vector<LimitSetting>> MemoryStore::limits() {
  std::lock_guard lock(mutex_);
  return gate_.all();
}

Result<Job> MemoryStore::remove(const std::string& id) {
  std::lock_guard lock(mutex_);
  Job* job = find(id);
  if (!job) return job_not_found(id);
  if (!is_terminal(job->status))
    return Error::conflict("job " + id + " is " + std::string(to_string(job->status)) +
                           "; cancel it first");
  Job out = *job;
  erase(*job);
  return out;
}

Result<std::vector<Job>> MemoryStore::purge_expired(Millis now, std::size_t limit) {
  std::lock_guard lock(mutex_);
  std::vector<Job> out;
  while (!expiring_.empty() && expiring_.begin()->first <= now && out.size() < limit) {
    Job& job = jobs_.at(expiring_.begin()->second);
    out.push_back(job);
    erase(job);
  }
  return out;
}

Result<std::vector<Job>> MemoryStore::trim_dead_letters(std::size_t cap, const std::string& queue,
                                                        std::size_t limit) {
  std::lock_guard lock(mutex_);
  std::vector<std::int64_t> mine;  // oldest first
  for (const auto& [at, seq] : dead_letters_)
    if (queue.empty() || jobs_.at(seq).queue == queue) mine.push_back(seq);
  std::vector<Job> out;
  for (std::size_t i = 0; i + cap < mine.size() && i < limit; ++i) {
    Job& job = jobs_.at(mine[i]);
    out.push_back(job);
    erase(job);
  }
  return out;
}

Result<std::optional<Job>> MemoryStore::get(const std::string& id) {
  std::lock_guard lock(mutex_);
  const Job* job = find(id);
  return job ? std::optional<Job>(*job) : std::nullopt;
}

Result<JobPage> MemoryStore::list(const JobFilter& filter, const ListOptions& options) {
  if (Status s = validate_list_options(options); !s.ok()) return s;
  std::optional<Cursor> cursor;
  if (!options.cursor.empty()) {
    auto c = decode_cursor(options.cursor);
    if (!c) return c.error();
    cursor = *c;
  }
  std::lock_guard lock(mutex_);
  std::vector<const Job*> hits;
  for (const auto& [seq, job] : jobs_)
    if (matches(job, filter) && (!cursor || after_cursor(job, *cursor, options)))
      hits.push_back(&job);
  std::size_t n = std::min<std::size_t>(hits.size(), options.limit);
  std::partial_sort(hits.begin(), hits.begin() + n, hits.end(),
                    [&](const Job* a, const Job* b) { return list_before(*a, *b, options); });
  JobPage page;
  for (std::size_t i = 0; i < n; ++i) page.jobs.push_back(*hits[i]);
  if (hits.size() > n)
    page.next_cursor =
        encode_cursor({sort_key(page.jobs.back(), options.sort), page.jobs.back().seq});
  return page;
}

Result<StoreStats> MemoryStore::stats(std::size_t recent_runs) {
  std::lock_guard lock(mutex_);
  std::map<std::tuple<std::string, std::string, JobStatus>, std::int64_t> counts;
  for (const auto& [seq, job] : jobs_) ++counts[{job.queue, job.type, job.status}];
  StoreStats out;
  for (const auto& [key, n] : counts)
    out.counts.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), n});
  for (auto it = finished_.rbegin(); it != finished_.rend() && out.recent_runs.size() < recent_runs;
       ++it) {
    const Job& j = jobs_.at(it->second);
    if (j.started_at == 0 || j.status == JobStatus::cancelled) continue;
    out.recent_runs.push_back(
        {j.type, j.completed_at - j.started_at, j.status == JobStatus::completed});
  }
  return out;
}

// Each operation is already done when it returns; there is nothing to wait for.
void MemoryStore::write_async(WriteWork work, WriteDone done) {
  Status status;
  try {
    work(*this);
  } catch (const std::exception& e) {
    status = Error(ErrorCode::internal, e.what());
  }
  done(status);
}

}  // namespace jobq
