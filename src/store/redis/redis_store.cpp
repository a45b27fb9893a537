#include "store/redis/redis_store.h"

#include <boost/json.hpp>

#include <stdexcept>

#include "core/ids.h"
#include "store/job_filter.h"
#include "store/json_lists.h"
#include "store/redis/event_channel.h"
#include "store/redis/job_fields.h"

namespace jobq {

namespace json = boost::json;
using redis::at;
using redis::int_text;
using redis::Reply;
using redis::text;

namespace {

Job job_at(const redisReply& r, std::size_t i) {
  return redis::job_from_fields(at(r, i));
}

std::vector<Job> jobs_from(const redisReply& r, std::size_t first = 1) {
  std::vector<Job> out;
  out.reserve(r.elements - first);
  for (std::size_t i = first; i < r.elements; ++i) out.push_back(job_at(r, i));
  return out;
}

// {'ok', job, dependents}
Finished finished_from(const redisReply& r) {
  return {job_at(r, 1), jobs_from(at(r, 2), 0)};
}

std::vector<std::string> queues_and_types(const LeaseRequest& r) {
  std::vector<std::string> args{int_text(std::int64_t(r.queues.size()))};
  args.insert(args.end(), r.queues.begin(), r.queues.end());
  args.push_back(int_text(std::int64_t(r.types.size())));
  args.insert(args.end(), r.types.begin(), r.types.end());
  return args;
}

// As common.lua's retention_at reads them: three times, then the queues' own as JSON ('' for none,
// so that a server with no queue settings pays nothing for them).
void add_retention(std::vector<std::string>& args, const Retention& r) {
  args.push_back(int_text(r.completed_ms));
  args.push_back(int_text(r.cancelled_ms));
  args.push_back(int_text(r.failed_ms));
  json::object queues;
  for (const auto& [name, own] : r.queues) {
    json::object times;
    if (own.completed_ms) times["completed_ms"] = *own.completed_ms;
    if (own.cancelled_ms) times["cancelled_ms"] = *own.cancelled_ms;
    if (own.failed_ms) times["failed_ms"] = *own.failed_ms;
    if (!times.empty()) queues[name] = std::move(times);
  }
  args.push_back(queues.empty() ? std::string() : json::serialize(queues));
}

std::string filter_json(const JobFilter& f) {
  json::array statuses;
  for (JobStatus s : f.statuses) statuses.emplace_back(to_string(s));
  json::object o{{"statuses", std::move(statuses)},
                 {"queue", f.queue},
                 {"type", f.type},
                 {"user_id", f.user_id},
                 {"tag", f.tag}};
  if (f.created_after) o["created_after"] = *f.created_after;
  if (f.created_before) o["created_before"] = *f.created_before;
  return json::serialize(o);
}

const char* then_name(Failure::Then then) {
  switch (then) {
    case Failure::Then::retry:
      return "retry";
    case Failure::Then::dead:
      return "dead";
    case Failure::Then::cancel:
      return "cancel";
    case Failure::Then::release:
      return "release";
  }
  return "dead";
}

const char* sort_name(SortField sort) {
  switch (sort) {
    case SortField::priority:
      return "priority";
    case SortField::updated_at:
      return "updated_at";
    case SortField::created_at:
      return "created_at";
  }
  return "created_at";
}

// A read that meets a job it cannot decode answers internal instead of throwing at its caller.
template <class F>
auto guarded(F&& read) -> decltype(read()) {
  try {
    return read();
  } catch (const std::exception& e) {
    return Error(ErrorCode::internal, e.what());
  }
}

}  // namespace

class RedisStore::Pool {
 public:
  explicit Pool(redis::Address address) : address_(std::move(address)) {}

  template <class F>
  auto with(F&& use) {
    std::unique_ptr<redis::Connection> c;
    {
      std::lock_guard lock(mutex_);
      if (!free_.empty()) {
        c = std::move(free_.back());
        free_.pop_back();
      }
    }
    if (!c) c = std::make_unique<redis::Connection>(address_);
    auto result = use(*c);
    std::lock_guard lock(mutex_);
    free_.push_back(std::move(c));
    return result;
  }

 private:
  redis::Address address_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<redis::Connection>> free_;
};

Result<std::unique_ptr<RedisStore>> RedisStore::open(const std::string& url, const Clock& local,
                                                     const StoreOptions& options) {
  auto address = redis::parse_address(url);
  if (!address) return address.error();
  std::unique_ptr<RedisStore> store(new RedisStore(*address, options.redis_prefix, local));
  auto pong = store->read_call({"PING"});
  if (!pong) return pong.error();
  if ((*pong)->type == REDIS_REPLY_ERROR) return redis::reply_error("PING", **pong);
  // The layout of the keys (lua/common.lua); a change that an older jobq cannot read bumps it.
  constexpr const char* kLayout = "5";
  if (auto checked = store->read_script("open_check", {kLayout}); !checked) return checked.error();
  // Jobs would vanish under a policy that evicts keys without an expiry (jobq sets none).
  auto policy = store->read_call({"CONFIG", "GET", "maxmemory-policy"});
  if (!policy) return policy.error();
  if ((*policy)->type == REDIS_REPLY_ARRAY && (*policy)->elements == 2) {
    std::string name(text(at(**policy, 1)));
    if (name.rfind("allkeys-", 0) == 0 && !options.redis_allow_eviction)
      return Error::invalid("store", address->to_string() + " has maxmemory-policy " + name +
                                         ", which evicts jobs; set it to noeviction, or allow "
                                         "it with --redis-allow-eviction");
  }
  return store;
}

RedisStore::RedisStore(redis::Address address, std::string prefix, const Clock& local)
    : address_(address),
      node_(new_lease_token()),
      scripts_(std::move(prefix)),
      pool_(std::make_unique<Pool>(address)),
      clock_(std::make_unique<redis::RedisClock>(address, local)) {
  for (int i = 0; i < kWriters; ++i)
    writers_.emplace_back([this, address] {
      redis::Connection connection(address);
      writer_loop(connection);
    });
}

namespace {
thread_local redis::Connection* t_writer_connection = nullptr;  // set on the writer threads
}  // namespace

redis::Connection& RedisStore::writer_connection() {
  if (!t_writer_connection) throw std::logic_error("a redis store write outside its writers");
  return *t_writer_connection;
}

EventChannel* RedisStore::shared_events() {
  std::lock_guard lock(events_mutex_);
  // Pub/sub channels are not per db: the db is in the name, as the prefix is.
  if (!events_)
    events_ = std::make_unique<redis::RedisEventChannel>(
        address_, scripts_.prefix() + "events:" + std::to_string(address_.db));
  return events_.get();
}

namespace {

WorkerEntry worker_from_fields(const redisReply& flat) {
  WorkerEntry w;
  for (std::size_t i = 0; i + 1 < flat.elements; i += 2) {
    std::string_view name = text(at(flat, i));
    std::string value(text(at(flat, i + 1)));
    if (name == "id") w.id = value;
    if (name == "beat") w.beat = value;
    if (name == "command") w.command = value;
    if (name == "concurrency") w.concurrency = std::stoi(value);
    if (name == "first_seen_at") w.first_seen_at = std::stoll(value);
    if (name == "last_beat_at") w.last_beat_at = std::stoll(value);
  }
  return w;
}

}  // namespace

Result<WorkerEntry> RedisStore::worker_script(std::string_view name,
                                              const std::vector<std::string>& args) {
  return guarded([&]() -> Result<WorkerEntry> {
    auto r = read_script(name, args);
    if (!r) return r.error();
    return worker_from_fields(at(**r, 1));
  });
}

Result<WorkerEntry> RedisStore::beat(const std::string& id, const std::string& beat,
                                     int concurrency, Millis now, Millis forget_before) {
  return worker_script("worker_beat",
                       {id, beat, int_text(concurrency), int_text(now), int_text(forget_before)});
}

Result<std::vector<WorkerEntry>> RedisStore::list(Millis forget_before) {
  return guarded([&]() -> Result<std::vector<WorkerEntry>> {
    auto r = read_script("workers", {int_text(forget_before)});
    if (!r) return r.error();
    std::vector<WorkerEntry> out;
    for (std::size_t i = 1; i < (*r)->elements; ++i) out.push_back(worker_from_fields(at(**r, i)));
    return out;
  });
}

Result<WorkerEntry> RedisStore::scale(const std::string& id, int concurrency) {
  return worker_script("worker_orders", {id, "concurrency", int_text(concurrency)});
}

Result<WorkerEntry> RedisStore::command(const std::string& id, const std::string& command) {
  return worker_script("worker_orders", {id, "command", command});
}

Result<bool> RedisStore::claim_sweeps() {
  auto r = read_script("claim_sweeps", {node_, int_text(kSweepLockMs)});
  if (!r) return r.error();
  return at(**r, 1).integer == 1;
}

RedisStore::~RedisStore() {
  events_.reset();
  (void)read_script("release_sweeps", {node_});  // if Redis is gone, the lock expires by itself
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& writer : writers_) writer.join();
}

void RedisStore::write_async(WriteWork work, WriteDone done) {
  {
    std::lock_guard lock(mutex_);
    pending_.push_back({std::move(work), std::move(done)});
  }
  wake_.notify_one();
}

// Each operation is its own atomic step in Redis: a work that throws midway keeps the steps it
// took (as the memory store), and its Done hears why.
void RedisStore::writer_loop(redis::Connection& connection) {
  t_writer_connection = &connection;
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
    if (pending_.empty()) return;
    Op op = std::move(pending_.front());
    pending_.pop_front();
    lock.unlock();
    Status status;
    try {
      op.work(*this);
    } catch (const std::exception& e) {
      status = Error(ErrorCode::internal, e.what());
    }
    op.done(status);
    lock.lock();
  }
}

Result<Reply> RedisStore::write_script(std::string_view name,
                                       const std::vector<std::string>& args) {
  return scripts_.run(writer_connection(), name, args);
}

// A read is tried twice: a pooled connection may have been closed by Redis while it lay idle (a
// restart, a timeout), and the second try connects anew. A write is not: it may have been done.
Result<Reply> RedisStore::read_script(std::string_view name, const std::vector<std::string>& args) {
  return pool_->with([&](redis::Connection& c) {
    auto r = scripts_.run(c, name, args);
    return r || r.error().code() != ErrorCode::unavailable ? std::move(r)
                                                           : scripts_.run(c, name, args);
  });
}

Result<Reply> RedisStore::read_call(const std::vector<std::string>& args) {
  return pool_->with([&](redis::Connection& c) {
    auto r = c.call(args);
    return r ? std::move(r) : c.call(args);
  });
}

Result<std::vector<Job>> RedisStore::jobs_script(std::string_view name,
                                                 const std::vector<std::string>& args) {
  auto r = write_script(name, args);
  if (!r) return r.error();
  return jobs_from(**r);
}

void RedisStore::add_submit_jobs(std::vector<std::string>& args, const std::vector<Job>& jobs) {
  args.push_back(int_text(std::int64_t(jobs.size())));
  for (const Job& job : jobs) {
    auto fields = redis::submit_fields(job);
    args.push_back(int_text(std::int64_t(fields.size() / 2)));
    std::move(fields.begin(), fields.end(), std::back_inserter(args));
  }
}

std::vector<SubmitOutcome> RedisStore::submit_outcomes(const redisReply& reply) {
  std::vector<SubmitOutcome> out;
  out.reserve(reply.elements - 1);
  for (std::size_t i = 1; i < reply.elements; ++i) {
    const redisReply& item = at(reply, i);
    out.push_back({job_at(item, 1), at(item, 0).integer == 1});
  }
  return out;
}

Result<std::vector<SubmitOutcome>> RedisStore::submit(std::vector<Job> jobs) {
  std::vector<std::string> args;
  add_submit_jobs(args, jobs);
  auto r = write_script("submit", args);
  if (!r) return r.error();
  return submit_outcomes(**r);
}

Result<std::vector<Job>> RedisStore::lease(const LeaseRequest& r, Millis now) {
  std::vector<std::string> args{r.worker_id, int_text(r.lease_ms), int_text(now),
                                int_text(r.max_jobs)};
  auto rest = queues_and_types(r);
  std::move(rest.begin(), rest.end(), std::back_inserter(args));
  add_user_caps(args);
  for (int i = 0; i < r.max_jobs; ++i) args.push_back(new_lease_token());
  return jobs_script("lease", args);
}

void RedisStore::set_user_caps(const std::map<std::string, std::int64_t>& by_tier) {
  user_caps_.clear();
  for (const auto& [tier, cap] : by_tier)
    if (cap > 0) user_caps_.emplace(tier, cap);
}

// As common.lua's caps_at reads them: a count, then tier, cap pairs.
void RedisStore::add_user_caps(std::vector<std::string>& args) const {
  args.push_back(int_text(std::int64_t(user_caps_.size())));
  for (const auto& [tier, cap] : user_caps_) {
    args.push_back(tier);
    args.push_back(int_text(cap));
  }
}

bool RedisStore::has_ready(const LeaseRequest& r, Millis now) {
  std::vector<std::string> args{int_text(now)};
  auto rest = queues_and_types(r);
  std::move(rest.begin(), rest.end(), std::back_inserter(args));
  add_user_caps(args);
  auto reply = read_script("has_ready", args);
  // A store that cannot answer has nothing ready; the lease that follows hears the error.
  return reply && (*reply)->elements == 2 && at(**reply, 1).integer == 1;
}

Result<Job> RedisStore::heartbeat(const std::string& id, const std::string& token,
                                  const Progress& p, Millis now) {
  std::vector<std::string> args{id, token, int_text(now)};
  auto given = [&](bool set, std::string value) {
    args.push_back(set ? "1" : "0");
    args.push_back(std::move(value));
  };
  given(p.progress.has_value(), p.progress ? redis::real_text(*p.progress) : "");
  given(p.message.has_value(), p.message.value_or(""));
  given(p.stage.has_value(), p.stage.value_or(""));
  given(p.processed_items.has_value(), p.processed_items ? int_text(*p.processed_items) : "");
  given(p.total_items.has_value(), p.total_items ? int_text(*p.total_items) : "");
  auto r = write_script("heartbeat", args);
  if (!r) return r.error();
  return job_at(**r, 1);
}

Result<std::vector<Result<Finished>>> RedisStore::complete_many(std::vector<Completion> batch,
                                                                Millis now,
                                                                const Retention& retention) {
  std::vector<std::string> args{int_text(now)};
  add_retention(args, retention);
  args.push_back(int_text(std::int64_t(batch.size())));
  for (Completion& c : batch) {
    args.push_back(std::move(c.id));
    args.push_back(std::move(c.lease_token));
    args.push_back(std::move(c.result_json));
  }
  auto r = write_script("complete_many", args);
  if (!r) return r.error();
  std::vector<Result<Finished>> out;
  out.reserve(batch.size());
  for (std::size_t i = 1; i < (*r)->elements; ++i) {
    const redisReply& item = at(**r, i);
    if (text(at(item, 0)) == "err")
      out.push_back(redis::script_error(item));
    else
      out.push_back(finished_from(item));
  }
  return out;
}

Result<Finished> RedisStore::fail(const std::string& id, const std::string& token,
                                  const Failure& failure, Millis now, const Retention& retention) {
  std::vector<std::string> args{id, token, int_text(now)};
  add_retention(args, retention);
  args.push_back(then_name(failure.then));
  args.push_back(int_text(failure.retry_at));
  args.push_back(failure.count_attempt ? "1" : "0");
  args.push_back(error_json(failure.error));
  auto r = write_script("fail", args);
  if (!r) return r.error();
  return finished_from(**r);
}

Result<Finished> RedisStore::cancel(const std::string& id, Millis now, const Retention& retention) {
  std::vector<std::string> args{id, int_text(now)};
  add_retention(args, retention);
  auto r = write_script("cancel", args);
  if (!r) return r.error();
  return finished_from(**r);
}

Result<Job> RedisStore::retry(const std::string& id, Millis now) {
  auto r = write_script("retry", {id, int_text(now)});
  if (!r) return r.error();
  return job_at(**r, 1);
}

Result<std::vector<Job>> RedisStore::retry_where(const JobFilter& filter, Millis now) {
  return jobs_script("retry_where", {filter_json(filter), int_text(now)});
}

Result<Job> RedisStore::update(const std::string& id, std::optional<int> priority,
                               std::optional<Millis> run_at, Millis now) {
  auto r = write_script("update", {id, int_text(now), priority ? int_text(*priority) : "",
                                   run_at ? int_text(*run_at) : ""});
  if (!r) return r.error();
  return job_at(**r, 1);
}

Result<std::vector<Job>> RedisStore::promote_due(Millis now, std::size_t limit) {
  return jobs_script("promote_due", {int_text(now), int_text(std::int64_t(limit))});
}

Result<std::vector<Job>> RedisStore::purge(Millis before, const std::vector<JobStatus>& statuses,
                                           std::size_t limit) {
  std::vector<std::string> args{int_text(before), int_text(std::int64_t(limit))};
  for (JobStatus s : statuses) args.emplace_back(to_string(s));
  return jobs_script("purge", args);
}

Result<Job> RedisStore::remove(const std::string& id) {
  auto r = write_script("remove", {id});
  if (!r) return r.error();
  return job_at(**r, 1);
}

Result<std::vector<Job>> RedisStore::purge_expired(Millis now, std::size_t limit) {
  return jobs_script("purge_expired", {int_text(now), int_text(std::int64_t(limit))});
}

Result<std::vector<Job>> RedisStore::trim_dead_letters(std::size_t cap, const std::string& queue,
                                                       std::size_t limit) {
  return jobs_script("trim_dead_letters",
                     {int_text(std::int64_t(cap)), queue, int_text(std::int64_t(limit))});
}

Status RedisStore::set_queue_paused(const std::string& queue, bool paused) {
  auto r =
      writer_connection().call({paused ? "SADD" : "SREM", scripts_.prefix() + "paused", queue});
  if (!r) return r.error();
  if ((*r)->type == REDIS_REPLY_ERROR) return redis::reply_error("pausing a queue", **r);
  return {};
}

Status RedisStore::set_limits(const LimitSetting& s) {
  auto r = write_script("set_limits",
                        {std::string(to_string(s.scope)), s.name, int_text(s.limits.max_running),
                         int_text(s.limits.starts.count), int_text(s.limits.starts.period_ms)});
  return r ? Status() : Status(r.error());
}

Result<Millis> RedisStore::take_quota(const std::string& key, const Rate& rate, std::int64_t n,
                                      Millis now) {
  auto r = write_script("take_quota", {key, int_text(rate.count), int_text(rate.period_ms),
                                       int_text(n), int_text(now)});
  if (!r) return r.error();
  return guarded([&]() -> Result<Millis> { return redis::int_of(text(at(**r, 1))); });
}

Result<std::size_t> RedisStore::purge_quotas(Millis now, std::size_t limit) {
  auto r = write_script("purge_quotas", {int_text(now), int_text(std::int64_t(limit))});
  if (!r) return r.error();
  return guarded(
      [&]() -> Result<std::size_t> { return std::size_t(redis::int_of(text(at(**r, 1)))); });
}

Result<std::vector<LimitSetting>> RedisStore::limits() {
  return guarded([&]() -> Result<std::vector<LimitSetting>> {
    auto r = read_script("limits", {});
    if (!r) return r.error();
    std::vector<LimitSetting> out;
    const redisReply& flat = **r;
    for (std::size_t i = 1; i + 4 < flat.elements; i += 5) {
      auto number = [&](std::size_t k) { return redis::int_of(text(at(flat, i + k))); };
      auto scope = limit_scope_from_string(text(at(flat, i)));
      if (!scope)
        throw std::runtime_error("redis store: a limit of an unknown scope: " +
                                 std::string(text(at(flat, i))));
      out.push_back({*scope, std::string(text(at(flat, i + 1))),
                     Limits{number(2), Rate{number(3), number(4)}}});
    }
    std::sort(out.begin(), out.end(), [](const LimitSetting& a, const LimitSetting& b) {
      return std::tie(a.scope, a.name) < std::tie(b.scope, b.name);
    });
    return out;
  });
}

Result<std::optional<Job>> RedisStore::current(const std::string& id) {
  return get_on(writer_connection(), id);
}

Result<std::optional<Job>> RedisStore::get_on(redis::Connection& c, const std::string& id) {
  auto r = c.call({"HGETALL", scripts_.prefix() + "job:" + id});
  if (!r) return r.error();
  if ((*r)->type == REDIS_REPLY_ERROR) return redis::reply_error("reading job " + id, **r);
  if ((*r)->elements == 0) return std::optional<Job>();
  Job job = redis::job_from_fields(**r);
  job.id = id;  // the key's: the hash keeps no id field (common.lua's insert)
  return std::optional<Job>(std::move(job));
}

Result<std::optional<Job>> RedisStore::get(const std::string& id) {
  return guarded([&] {
    return pool_->with([&](redis::Connection& c) {
      auto r = get_on(c, id);
      return r || r.error().code() != ErrorCode::unavailable ? std::move(r) : get_on(c, id);
    });
  });
}

Result<std::vector<Job>> RedisStore::overdue(Millis now, std::size_t limit) {
  return guarded([&]() -> Result<std::vector<Job>> {
    auto r = read_script("overdue", {int_text(now), int_text(std::int64_t(limit))});
    if (!r) return r.error();
    return jobs_from(**r);
  });
}

Result<std::vector<std::string>> RedisStore::paused_queues() {
  auto r = read_call({"SMEMBERS", scripts_.prefix() + "paused"});
  if (!r) return r.error();
  if ((*r)->type == REDIS_REPLY_ERROR) return redis::reply_error("reading paused queues", **r);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < (*r)->elements; ++i) out.emplace_back(text(at(**r, i)));
  std::sort(out.begin(), out.end());
  return out;
}

Result<JobPage> RedisStore::list(const JobFilter& filter, const ListOptions& options) {
  if (Status s = validate_list_options(options); !s.ok()) return s;
  Cursor cursor;
  if (!options.cursor.empty()) {
    auto c = decode_cursor(options.cursor);
    if (!c) return c.error();
    cursor = *c;
  }
  return guarded([&]() -> Result<JobPage> {
    auto r = read_script(
        "list", {filter_json(filter), sort_name(options.sort), options.descending ? "1" : "0",
                 int_text(options.limit), options.cursor.empty() ? "0" : "1", int_text(cursor.key),
                 int_text(cursor.seq)});
    if (!r) return r.error();
    JobPage page;
    page.jobs = jobs_from(**r);
    if (page.jobs.size() > std::size_t(options.limit)) {
      page.jobs.resize(std::size_t(options.limit));
      page.next_cursor =
          encode_cursor({sort_key(page.jobs.back(), options.sort), page.jobs.back().seq});
    }
    return page;
  });
}

Result<StoreStats> RedisStore::stats(std::size_t recent_runs) {
  return guarded([&]() -> Result<StoreStats> {
    auto r = read_script("stats", {int_text(std::int64_t(recent_runs))});
    if (!r) return r.error();
    StoreStats out;
    const redisReply& counts = at(**r, 1);
    for (std::size_t i = 0; i + 1 < counts.elements; i += 2) {
      json::value key = json::parse(text(at(counts, i)));
      const auto& parts = key.as_array();
      auto status = parse_status(parts.at(2).as_string());
      std::int64_t n = std::stoll(std::string(text(at(counts, i + 1))));
      if (!status || n == 0) continue;  // a count at zero is kept (common.lua's unindex)
      out.counts.push_back(
          {std::string(parts.at(0).as_string()), std::string(parts.at(1).as_string()), *status, n});
    }
    const redisReply& runs = at(**r, 2);
    for (std::size_t i = 0; i < runs.elements; ++i) {
      const redisReply& run = at(runs, i);
      out.recent_runs.push_back({std::string(text(at(run, 0))),
                                 std::stoll(std::string(text(at(run, 1)))),
                                 at(run, 2).integer == 1});
    }
    return out;
  });
}

}  // namespace jobq
