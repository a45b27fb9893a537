#include "jobq/engine.h"

#include <boost/json.hpp>
#include <future>
#include <random>

#include "core/backoff.h"
#include "core/ids.h"
#include "core/job_spec.h"
#include "engine/lease_waiters.h"
#include "store/store.h"

namespace jobq {

namespace {

SpecLimits limits_of(const EngineOptions& o) {
  SpecLimits l;
  l.max_payload_bytes = o.max_payload_bytes;
  return l;
}

Status check_json(const std::string& text, const char* field) {
  if (text.empty()) return {};
  auto parsed = parse_json(text, field);
  return parsed ? Status{} : parsed.error();
}

EventType event_for(const Job& job) {
  switch (job.status) {
    case JobStatus::completed:
      return EventType::completed;
    case JobStatus::failed:
      return EventType::failed;
    case JobStatus::cancelled:
      return EventType::cancelled;
    case JobStatus::running:
      return job.cancel_requested ? EventType::cancel_requested : EventType::progress;
    case JobStatus::scheduled:
      return EventType::retrying;
    default:
      return EventType::queued;
  }
}

}  // namespace

Engine::Engine(Store& store, const Clock& clock, EventBus& bus, EngineOptions options)
    : store_(store),
      clock_(clock),
      bus_(bus),
      options_(options),
      rng_state_(options.jitter_seed ? options.jitter_seed : std::random_device{}()) {
  waiters_ =
      std::make_unique<LeaseWaiters>([this](const LeaseRequest& r) { return store_.has_ready(r); },
                                     [this](const LeaseRequest& r, LeaseCallback done) {
                                       lease_now_async(r, std::move(done));
                                     });
}

Engine::~Engine() {
  {
    // A write under way still calls back into the engine when it ends.
    std::unique_lock lock(writes_mutex_);
    writes_done_.wait(lock, [this] { return writes_ == 0; });
  }
  waiters_->release_all();
}

void Engine::publish(EventType type, Job job) {
  if (!bus_.has_subscribers()) return;
  job.lease_token.clear();  // events reach watchers; the token belongs to the worker alone
  bus_.publish({type, std::make_shared<const Job>(std::move(job))});
}

void Engine::publish_all(EventType type, std::vector<Job>& jobs) {
  for (Job& job : jobs) publish(type, job);
}

void Engine::wake_waiters() {
  waiters_->serve();
}

std::int64_t Engine::backoff_delay(const Job& job) {
  std::lock_guard lock(rng_mutex_);
  return backoff_delay_ms(job.backoff, job.attempt, next_random(rng_state_));
}

namespace {

// The blocking form of an async call: starts it and waits for its answer.
template <class T, class Start>
Result<T> wait_for(Start&& start) {
  std::promise<Result<T>> answer;
  auto future = answer.get_future();
  start([&answer](Result<T> r) { answer.set_value(std::move(r)); });
  return future.get();
}

// Where a write's work leaves its result for the write's done (which runs after it).
template <class T>
using Slot = std::shared_ptr<std::optional<Result<T>>>;
template <class T>
Slot<T> make_slot() {
  return std::make_shared<std::optional<Result<T>>>();
}

}  // namespace

void Engine::write(std::function<void()> work, std::function<void(const Status&)> done) {
  {
    std::lock_guard lock(writes_mutex_);
    ++writes_;
  }
  store_.write_async(std::move(work), [this, done = std::move(done)](const Status& s) {
    done(s);
    std::lock_guard lock(writes_mutex_);
    if (--writes_ == 0) writes_done_.notify_all();
  });
}

Result<SubmitOutcome> Engine::submit(const JobSpec& spec) {
  return wait_for<SubmitOutcome>([&](Done<SubmitOutcome> done) { submit_async(spec, done); });
}

void Engine::submit_async(const JobSpec& spec, Done<SubmitOutcome> done) {
  submit_batch_async({spec}, [done = std::move(done)](Result<std::vector<SubmitOutcome>> batch) {
    if (batch) return done(std::move(batch->front()));
    // A single submit names the field itself, not "jobs[0].field".
    const Error& e = batch.error();
    std::string field = e.field().rfind("jobs[0].", 0) == 0 ? e.field().substr(8) : e.field();
    done(Error(e.code(), e.message(), field));
  });
}

Result<std::vector<SubmitOutcome>> Engine::submit_batch(const std::vector<JobSpec>& specs) {
  return wait_for<std::vector<SubmitOutcome>>(
      [&](Done<std::vector<SubmitOutcome>> done) { submit_batch_async(specs, done); });
}

// Validates every spec and builds its job, or says which spec is wrong.
Result<std::vector<Job>> Engine::make_jobs(const std::vector<JobSpec>& specs) {
  if (specs.empty()) return Error::invalid("jobs", "at least one job is needed");
  if (specs.size() > options_.max_batch)
    return Error::invalid("jobs",
                          "at most " + std::to_string(options_.max_batch) + " jobs at once");
  SpecLimits limits = limits_of(options_);
  for (std::size_t i = 0; i < specs.size(); ++i) {
    Status s = validate_spec(specs[i], limits);
    if (s.ok()) s = check_json(specs[i].payload, "payload");
    if (!s.ok())
      return Error(s.code(), s.message(), "jobs[" + std::to_string(i) + "]." + s.field());
  }
  Millis now = clock_.now();
  std::vector<Job> jobs;
  jobs.reserve(specs.size());
  for (const JobSpec& spec : specs) {
    Job j;
    j.id = new_job_id(now);
    j.type = spec.type;
    j.queue = spec.queue;
    j.priority = spec.priority;
    j.payload = spec.payload.empty() ? "null" : spec.payload;
    j.max_attempts = spec.max_attempts.value_or(options_.default_max_attempts);
    j.backoff = spec.backoff.value_or(options_.default_backoff);
    j.timeout_ms = spec.timeout_ms;
    j.soft_timeout_ms = spec.soft_timeout_ms;
    j.run_at = spec.delay_ms ? now + *spec.delay_ms : spec.run_at.value_or(now);
    j.user_id = spec.user_id;
    j.tags = spec.tags;
    j.idempotency_key = spec.idempotency_key;
    j.depends_on = spec.depends_on;
    j.callback_url = spec.callback_url;
    j.created_at = j.updated_at = now;
    jobs.push_back(std::move(j));
  }
  return jobs;
}

void Engine::submit_batch_async(const std::vector<JobSpec>& specs,
                                Done<std::vector<SubmitOutcome>> done) {
  auto jobs = make_jobs(specs);
  if (!jobs) return done(jobs.error());
  auto stored = make_slot<std::vector<SubmitOutcome>>();
  auto handed = std::make_shared<std::vector<LeaseWaiters::Claim>>();
  Millis now = clock_.now();
  // Leases already waiting for these jobs are served in the same write, so that on a durable
  // store the submit and the hand-over share one commit (one fsync on the latency path).
  auto work = [this, stored, handed, now,
               jobs = std::make_shared<std::vector<Job>>(std::move(*jobs))] {
    *stored = store_.submit(std::move(*jobs));
    if (!**stored) return;
    bool ready = false;
    for (const SubmitOutcome& sub : (*stored)->value())
      ready |= sub.created && sub.job.status == JobStatus::queued;
    if (!ready) return;
    *handed = waiters_->claim_ready();
    for (LeaseWaiters::Claim& c : *handed) c.jobs = store_.lease(c.waiter.request, now);
  };
  write(std::move(work), [this, stored, handed, done = std::move(done)](const Status& s) {
    if (!s.ok()) {
      waiters_->settle(*handed, false);
      return done(s);
    }
    if (!**stored) return done((*stored)->error());
    std::vector<SubmitOutcome> out;
    out.reserve((*stored)->value().size());
    bool ready = false;
    for (SubmitOutcome& sub : (*stored)->value()) {
      if (sub.created) {
        ready |= sub.job.status == JobStatus::queued;
        publish(EventType::submitted, sub.job);
      }
      out.push_back({std::move(sub.job), sub.created});
    }
    for (const LeaseWaiters::Claim& c : *handed)
      if (c.jobs)
        for (const Job& job : *c.jobs) publish(EventType::started, job);
    waiters_->settle(*handed, true);
    if (ready) wake_waiters();
    done(std::move(out));
  });
}

Status Engine::validate_lease(const LeaseRequest& request) const {
  if (request.worker_id.empty()) return Error::invalid("worker_id", "is required");
  if (request.queues.empty()) return Error::invalid("queues", "name at least one queue");
  if (request.max_jobs < 1 || request.max_jobs > 1000)
    return Error::invalid("max_jobs", "must be between 1 and 1000");
  if (request.lease_ms < 1000 || request.lease_ms > options_.max_lease_ms)
    return Error::invalid("lease_ms",
                          "must be between 1000 and " + std::to_string(options_.max_lease_ms));
  return {};
}

Result<std::vector<Job>> Engine::lease(const LeaseRequest& request) {
  return wait_for<std::vector<Job>>(
      [&](LeaseCallback done) { lease_now_async(request, std::move(done)); });
}

void Engine::lease_now_async(const LeaseRequest& request, LeaseCallback done) {
  if (Status s = validate_lease(request); !s.ok()) return done(s);
  Millis now = clock_.now();
  auto leased = make_slot<std::vector<Job>>();
  write([this, leased, request, now] { *leased = store_.lease(request, now); },
        [this, leased, done = std::move(done)](const Status& s) {
          if (!s.ok()) return done(s);
          if (**leased)
            for (const Job& job : (*leased)->value()) publish(EventType::started, job);
          done(std::move(**leased));
        });
}

std::uint64_t Engine::lease_async(const LeaseRequest& request, LeaseCallback done) {
  // A request that could never be served is answered at once with its error.
  if (Status s = validate_lease(request); !s.ok()) {
    done(s);
    return 0;
  }
  return waiters_->add(request, std::move(done));
}

std::size_t Engine::waiting_leases() const {
  return waiters_->size();
}

bool Engine::cancel_wait(std::uint64_t handle) {
  return handle != 0 && waiters_->cancel(handle);
}

Result<std::vector<Job>> Engine::lease_wait(const LeaseRequest& request, std::int64_t wait_ms) {
  auto answer = std::make_shared<std::promise<Result<std::vector<Job>>>>();
  auto future = answer->get_future();
  std::uint64_t handle = lease_async(
      request, [answer](Result<std::vector<Job>> r) { answer->set_value(std::move(r)); });
  if (future.wait_for(std::chrono::milliseconds(wait_ms)) == std::future_status::timeout &&
      cancel_wait(handle))
    return std::vector<Job>{};
  return future.get();
}

Result<HeartbeatReply> Engine::heartbeat(const std::string& id, const std::string& token,
                                         const Progress& p) {
  return wait_for<HeartbeatReply>(
      [&](Done<HeartbeatReply> done) { heartbeat_async(id, token, p, std::move(done)); });
}

void Engine::heartbeat_async(const std::string& id, const std::string& token, const Progress& p,
                             Done<HeartbeatReply> done) {
  if (p.progress && !(*p.progress >= 0 && *p.progress <= 100))
    return done(Error::invalid("progress", "must be between 0 and 100"));
  if (p.processed_items && *p.processed_items < 0)
    return done(Error::invalid("processed_items", "must be >= 0"));
  if (p.total_items && *p.total_items < 0)
    return done(Error::invalid("total_items", "must be >= 0"));
  Millis now = clock_.now();
  auto job = make_slot<Job>();
  write([this, job, id, token, p, now] { *job = store_.heartbeat(id, token, p, now); },
        [this, job, now, done = std::move(done)](const Status& s) {
          if (!s.ok()) return done(s);
          if (!**job) return done((*job)->error());
          Job& j = (*job)->value();
          HeartbeatReply reply;
          reply.cancel_requested = j.cancel_requested;
          reply.soft_timeout_passed = j.soft_timeout_ms > 0 && now >= j.started_at + j.soft_timeout_ms;
          reply.lease_expires_at = j.lease_expires_at;
          publish(EventType::progress, std::move(j));
          done(reply);
        });
}

Status Engine::check_result(std::string& result) const {
  if (result.empty()) result = "null";
  if (result.size() > options_.max_payload_bytes)
    return Error(ErrorCode::payload_too_large, "result is larger than the payload limit", "result");
  return check_json(result, "result");
}

// Publishes a finished job and what it did to its dependents; wakes waiters for released ones.
void Engine::publish_finished(const Job& job, std::vector<Job>& dependents,
                              std::optional<EventType> type) {
  publish(type.value_or(event_for(job)), job);
  bool ready = job.status == JobStatus::queued;
  for (Job& d : dependents) {
    ready |= d.status == JobStatus::queued;
    publish(event_for(d), d);
  }
  if (ready) wake_waiters();
}

Result<Job> Engine::complete(const std::string& id, const std::string& token, std::string result) {
  auto many = complete_many({{id, token, std::move(result)}});
  if (!many) return many.error();
  return std::move(many->front());
}

Result<std::vector<Result<Job>>> Engine::complete_many(std::vector<Completion> completions) {
  return wait_for<std::vector<Result<Job>>>([&](Done<std::vector<Result<Job>>> done) {
    complete_many_async(std::move(completions), std::move(done));
  });
}

void Engine::complete_many_async(std::vector<Completion> completions,
                                 Done<std::vector<Result<Job>>> done) {
  auto out = std::make_shared<std::vector<Result<Job>>>(completions.size(),
                                                        Error::invalid("result", "unchecked"));
  auto valid = std::make_shared<std::vector<Completion>>();
  auto where = std::make_shared<std::vector<std::size_t>>();
  for (std::size_t i = 0; i < completions.size(); ++i) {
    Completion& c = completions[i];
    if (Status s = check_result(c.result_json); !s.ok()) {
      (*out)[i] = s;
      continue;
    }
    valid->push_back(std::move(c));
    where->push_back(i);
  }
  if (valid->empty()) return done(std::move(*out));
  Millis now = clock_.now();
  auto finished = make_slot<std::vector<Result<Finished>>>();
  write([this, finished, valid, now] { *finished = store_.complete_many(std::move(*valid), now); },
        [this, finished, out, where, done = std::move(done)](const Status& s) {
          if (!s.ok()) return done(s);
          if (!**finished) return done((*finished)->error());
          auto& results = (*finished)->value();
          for (std::size_t k = 0; k < results.size(); ++k) {
            auto& r = results[k];
            if (!r) {
              (*out)[(*where)[k]] = r.error();
              continue;
            }
            publish_finished(r->job, r->dependents);
            (*out)[(*where)[k]] = std::move(r->job);
          }
          done(std::move(*out));
        });
}

Result<Job> Engine::fail(const std::string& id, const std::string& token, FailReport report) {
  return wait_for<Job>(
      [&](Done<Job> done) { fail_async(id, token, std::move(report), std::move(done)); });
}

void Engine::fail_async(const std::string& id, const std::string& token, FailReport report,
                        Done<Job> done) {
  if (Status s = validate_fail(report); !s.ok()) return done(s);
  Millis now = clock_.now();
  auto finished = make_slot<Finished>();
  // The job is read inside the write, so that its attempt and cancel flag are those it fails with.
  write(
      [this, finished, id, token, report = std::move(report), now] {
        auto job = store_.get(id);
        if (!job)
          *finished = job.error();
        else if (!*job)
          *finished = Error::not_found("no job with id " + id);
        else if (Status s = check_lease(**job, token); !s.ok())
          *finished = s;
        else
          *finished = end_attempt(**job, token, report, now);
      },
      [this, finished, done = std::move(done)](const Status& s) {
        if (!s.ok()) return done(s);
        done(attempt_ended(std::move(**finished)));
      });
}

Result<Job> Engine::release(const std::string& id, const std::string& token) {
  return wait_for<Job>([&](Done<Job> done) { release_async(id, token, std::move(done)); });
}

void Engine::release_async(const std::string& id, const std::string& token, Done<Job> done) {
  Millis now = clock_.now();
  auto released = make_slot<Finished>();
  write(
      [this, released, id, token, now] {
        *released = store_.fail(id, token, Failure{{}, Failure::Then::release}, now);
      },
      [this, released, done = std::move(done)](const Status& s) {
        if (!s.ok()) return done(s);
        Result<Finished>& r = **released;
        if (!r) return done(r.error());
        std::optional<EventType> type;
        if (r->job.status == JobStatus::queued) type = EventType::queued;
        publish_finished(r->job, r->dependents, type);
        done(std::move(r->job));
      });
}

Result<Finished> Engine::end_attempt(const Job& job, const std::string& token,
                                     const FailReport& report, Millis now) {
  Failure failure{{report.message, report.traceback, job.attempt, now}};
  failure.count_attempt = report.count_attempt;
  int spent = job.attempt - (report.count_attempt ? 0 : 1);
  if (job.cancel_requested) {
    failure.then = Failure::Then::cancel;
  } else if (!report.retryable || spent >= job.max_attempts) {
    failure.then = Failure::Then::dead;
  } else {
    failure.retry_at = now + (report.retry_in_ms ? *report.retry_in_ms : backoff_delay(job));
  }
  return store_.fail(job.id, token, failure, now);
}

Result<Job> Engine::attempt_ended(Result<Finished> done) {
  if (!done) return done.error();
  // Back in line, whether after a backoff (scheduled) or at once (queued): another attempt comes.
  std::optional<EventType> type;
  if (is_active(done->job.status)) type = EventType::retrying;
  publish_finished(done->job, done->dependents, type);
  return std::move(done->job);
}

Result<Job> Engine::cancel(const std::string& id) {
  auto done = store_.cancel(id, clock_.now());
  if (!done) return done.error();
  publish_finished(done->job, done->dependents);
  return std::move(done->job);
}

Result<Job> Engine::retry(const std::string& id) {
  auto retried = store_.retry(id, clock_.now());
  if (!retried) return retried.error();
  publish(EventType::queued, *retried);
  wake_waiters();
  return retried;
}

Result<Job> Engine::remove(const std::string& id) {
  auto removed = store_.remove(id);
  if (!removed) return removed.error();
  publish(EventType::purged, *removed);
  return removed;
}

Result<std::vector<Job>> Engine::retry_where(JobFilter filter) {
  if (filter.statuses.empty()) filter.statuses = {JobStatus::failed};
  for (JobStatus s : filter.statuses)
    if (s != JobStatus::failed && s != JobStatus::cancelled)
      return Error::invalid("status", "only failed and cancelled jobs can be retried");
  auto retried = store_.retry_where(filter, clock_.now());
  if (!retried) return retried.error();
  publish_all(EventType::queued, *retried);
  if (!retried->empty()) wake_waiters();
  return retried;
}

Result<Job> Engine::update(const std::string& id, std::optional<int> priority,
                           std::optional<Millis> run_at) {
  if (priority && (*priority < 0 || *priority > 100))
    return Error::invalid("priority", "must be between 0 and 100");
  if (run_at && *run_at < 0) return Error::invalid("run_at", "must not be before 1970");
  auto job = store_.update(id, priority, run_at, clock_.now());
  if (!job) return job.error();
  publish(EventType::updated, *job);
  if (job->status == JobStatus::queued) wake_waiters();
  return job;
}

}  // namespace jobq
