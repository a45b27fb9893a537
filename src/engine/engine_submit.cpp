// Submits: validation, the jobs they make, and the hand-over to leases already waiting.
#include "core/ids.h"
#include "core/job_spec.h"
#include "engine/engine_impl.h"

namespace jobq {

namespace {

SpecLimits limits_of(const EngineOptions& o) {
  SpecLimits l;
  l.max_payload_bytes = o.max_payload_bytes;
  return l;
}

}  // namespace

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
Result<std::vector<Job>> Engine::Impl::make_jobs(const std::vector<JobSpec>& specs) {
  if (specs.empty()) return Error::invalid("jobs", "at least one job is needed");
  if (specs.size() > options.max_batch)
    return Error::invalid("jobs", "at most " + std::to_string(options.max_batch) + " jobs at once");
  SpecLimits limits = limits_of(options);
  for (std::size_t i = 0; i < specs.size(); ++i) {
    Status s = validate_spec(specs[i], limits);
    if (s.ok()) s = check_json(specs[i].payload, "payload");
    if (!s.ok())
      return Error(s.code(), s.message(), "jobs[" + std::to_string(i) + "]." + s.field());
  }
  Millis now = clock.now();
  std::vector<Job> jobs;
  jobs.reserve(specs.size());
  for (const JobSpec& spec : specs) {
    Job j;
    j.id = new_job_id(now);
    j.type = spec.type;
    j.queue = spec.queue;
    j.priority = spec.priority;
    j.payload = spec.payload.empty() ? "null" : spec.payload;
    j.max_attempts = spec.max_attempts.value_or(options.default_max_attempts);
    j.backoff = spec.backoff.value_or(options.default_backoff);
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
  Impl& d = *impl_;
  auto jobs = d.make_jobs(specs);
  if (!jobs) return done(jobs.error());
  auto handed = std::make_shared<std::vector<LeaseWaiters::Claim>>();
  Millis now = d.clock.now();
  // Leases already waiting for these jobs are served in the same write, so that on a durable
  // store the submit and the hand-over share one commit (one fsync on the latency path).
  auto work = [&d, handed, now,
               jobs = std::make_shared<std::vector<Job>>(std::move(*jobs))](WriteGroup& g) {
    auto stored = g.submit(std::move(*jobs));
    if (!stored) return stored;
    bool ready = false;
    for (const SubmitOutcome& sub : *stored)
      ready |= sub.created && sub.job.status == JobStatus::queued;
    if (ready) {
      *handed = d.waiters->claim_ready();
      for (LeaseWaiters::Claim& c : *handed) c.jobs = g.lease(c.waiter.request, now);
    }
    return stored;
  };
  auto then = [&d, handed, done = std::move(done)](Result<std::vector<SubmitOutcome>> stored) {
    if (!stored) {
      d.waiters->settle(*handed, false);  // claims come only with a submit the commit then lost
      return done(stored.error());
    }
    std::vector<SubmitOutcome> out;
    out.reserve(stored->size());
    bool ready = false;
    for (SubmitOutcome& sub : *stored) {
      if (sub.created) {
        ready |= sub.job.status == JobStatus::queued;
        d.publish(EventType::submitted, sub.job);
      }
      out.push_back({std::move(sub.job), sub.created});
    }
    for (const LeaseWaiters::Claim& c : *handed)
      if (c.jobs)
        for (const Job& job : *c.jobs) d.publish(EventType::started, job);
    d.waiters->settle(*handed, true);
    if (ready) d.wake_waiters();
    done(std::move(out));
  };
  d.write(std::move(work), std::move(then));
}

}  // namespace jobq
