// Submits: validation, the jobs they make, and the hand-over to leases already waiting.
#include <algorithm>

#include "core/ids.h"
#include "core/job_spec.h"
#include "engine/engine_impl.h"

namespace jobq {

Result<SubmitOutcome> Engine::submit(const JobSpec& spec) {
  return wait_for<SubmitOutcome>([&](Done<SubmitOutcome> done) { submit_async(spec, done); });
}

void Engine::submit_async(const JobSpec& spec, Done<SubmitOutcome> done) {
  Impl& d = *impl_;
  auto job = d.make_job(spec, d.clock.now());
  if (!job) return done(job.error());
  auto quotas = d.quota_takes(&spec, 1);
  if (!quotas) return done(quotas.error());
  std::vector<Job> jobs;
  jobs.push_back(std::move(*job));
  d.submit_jobs(
      std::move(jobs),
      [done = std::move(done)](Result<std::vector<SubmitOutcome>> one) {
        if (!one) return done(one.error());
        done(std::move(one->front()));
      },
      std::move(*quotas));
}

Result<std::vector<SubmitOutcome>> Engine::submit_batch(const std::vector<JobSpec>& specs) {
  return wait_for<std::vector<SubmitOutcome>>(
      [&](Done<std::vector<SubmitOutcome>> done) { submit_batch_async(specs, done); });
}

void Engine::submit_batch_async(const std::vector<JobSpec>& specs,
                                Done<std::vector<SubmitOutcome>> done) {
  Impl& d = *impl_;
  if (specs.empty()) return done(Error::invalid("jobs", "must hold at least one job"));
  if (specs.size() > d.options.max_batch)
    return done(
        Error::invalid("jobs", "at most " + std::to_string(d.options.max_batch) + " jobs a batch"));
  Millis now = d.clock.now();
  std::vector<Job> jobs;
  jobs.reserve(specs.size());
  for (std::size_t i = 0; i < specs.size(); ++i) {
    auto job = d.make_job(specs[i], now);
    if (!job) {
      const Error& e = job.error();
      return done(Error(e.code(), e.message(), "jobs[" + std::to_string(i) + "]." + e.field()));
    }
    jobs.push_back(std::move(*job));
  }
  auto quotas = d.quota_takes(specs.data(), specs.size());
  if (!quotas) return done(quotas.error());
  d.submit_jobs(std::move(jobs), std::move(done), std::move(*quotas));
}

Result<std::vector<QuotaTake>> Engine::Impl::quota_takes(const JobSpec* specs,
                                                         std::size_t count) const {
  std::vector<QuotaTake> takes;
  for (std::size_t i = 0; i < count; ++i) {
    const JobSpec& spec = specs[i];
    if (spec.user_id.empty()) continue;
    const std::string& tier = spec.tier.empty() ? options.default_tier : spec.tier;
    if (tier.empty()) continue;
    auto rate = options.tiers.find(tier);
    if (rate == options.tiers.end()) {  // a tier that would do nothing is refused, not ignored
      std::string known;
      for (const auto& [name, r] : options.tiers) known += (known.empty() ? "" : ", ") + name;
      Error e = Error::invalid("tier", "no tier named \"" + tier + "\"; the server has " +
                                           (known.empty() ? "none ([tiers.NAME] tables)" : known));
      return count == 1 ? e : e.within("jobs[" + std::to_string(i) + "]");
    }
    if (rate->second.count == 0) continue;  // a tier with a running cap and no submit quota
    auto same = [&](const QuotaTake& t) { return t.tier == tier && t.user_id == spec.user_id; };
    if (auto it = std::find_if(takes.begin(), takes.end(), same); it != takes.end())
      ++it->n;
    else
      takes.push_back({tier, spec.user_id, rate->second, 1});
  }
  return takes;
}

SpecLimits Engine::Impl::limits() const {
  SpecLimits l;
  l.max_payload_bytes = options.max_payload_bytes;
  l.callbacks = options.webhooks.enabled;
  return l;
}

// The engine's rules for a spec, checked here and nowhere else, then the job it makes.
Result<Job> Engine::Impl::make_job(const JobSpec& spec, Millis now) const {
  Status s = validate_spec(spec, limits());
  if (s.ok() && !spec.payload_is_checked_json) s = check_json(spec.payload, "payload");
  if (!s.ok()) return s;
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
  if (!spec.user_id.empty()) j.tier = spec.tier.empty() ? options.default_tier : spec.tier;
  j.tags = spec.tags;
  j.idempotency_key = spec.idempotency_key;
  j.depends_on = spec.depends_on;
  j.callback_url = spec.callback_url;
  j.result_ttl_ms = spec.result_ttl_ms;
  j.created_at = j.updated_at = now;
  return j;
}

namespace {

// The jobs a submit created, ready or not (an idempotent repeat creates none).
std::vector<Job> created_jobs(const std::vector<SubmitOutcome>& stored) {
  std::vector<Job> out;
  for (const SubmitOutcome& sub : stored)
    if (sub.created) out.push_back(sub.job);
  return out;
}

// The answer to a submit over its quota: what the quota is, and when there is room.
Error over_quota(const QuotaTake& t, Millis wait) {
  std::string quota = "tier " + t.tier + "'s quota of " + std::to_string(t.rate.count) +
                      " submits per " + std::to_string(t.rate.period_ms) + " ms";
  if (wait < 0)
    return Error::quota_exceeded(
        std::to_string(t.n) + " jobs of user " + t.user_id + " at once are more than " + quota,
        "user_id", 0);
  return Error::quota_exceeded("user " + t.user_id + " has used " + quota + "; there is room for " +
                                   std::to_string(t.n) + " more in " + std::to_string(wait) + " ms",
                               "user_id", wait);
}

}  // namespace

// Stores the jobs in one write.
void Engine::Impl::submit_jobs(std::vector<Job> made, Done<std::vector<SubmitOutcome>> done,
                               std::vector<QuotaTake> quotas) {
  auto handed = std::make_shared<std::vector<LeaseWaiters::Claim>>();
  Millis now = made.front().created_at;
  // Leases already waiting for these jobs are served in the same write, so that on a durable
  // store the submit and the hand-over share one commit (one fsync on the latency path).
  auto work = [this, handed, now, quotas = std::move(quotas),
               jobs = std::make_shared<std::vector<Job>>(std::move(made))](WriteGroup& g) {
    // In the same write as the submit: on a store whose writes are one transaction (memory,
    // sqlite), a quota is taken exactly when its jobs are stored. A batch over one of its quotas
    // is refused whole; what it took from the others before stays taken.
    for (const QuotaTake& t : quotas) {
      // A tier's name has no '/', so the first one ends it, whatever the user id holds.
      auto wait = g.take_quota(t.tier + "/" + t.user_id, t.rate, t.n, now);
      if (!wait) return Result<std::vector<SubmitOutcome>>(wait.error());
      if (*wait != 0) return Result<std::vector<SubmitOutcome>>(over_quota(t, *wait));
    }
    auto stored = g.submit(std::move(*jobs));
    if (!stored) return stored;
    if (waiters->size() > 0) *handed = waiters->claim_for(created_jobs(*stored));
    for (LeaseWaiters::Claim& c : *handed) c.jobs = g.lease(c.waiter.request, now);
    return stored;
  };
  auto then = [this, handed, done = std::move(done)](Result<std::vector<SubmitOutcome>> stored) {
    if (!stored) {
      waiters->settle(*handed, false);  // claims come only with a submit the commit then lost
      return done(stored.error());
    }
    std::vector<Job> unhanded;
    if (waiters->size() > 0) unhanded = created_jobs(*stored);
    for (const LeaseWaiters::Claim& c : *handed)
      if (c.jobs)
        for (const Job& job : *c.jobs) {
          publish(EventType::started, job);
          std::erase_if(unhanded, [&job](const Job& j) { return j.id == job.id; });
        }
    std::vector<SubmitOutcome> out;
    out.reserve(stored->size());
    for (SubmitOutcome& sub : *stored) {
      if (sub.created) publish(EventType::submitted, sub.job);
      out.push_back({std::move(sub.job), sub.created});
    }
    waiters->settle(*handed, true);
    // Waiters that arrived during the write are offered what the claims did not take; an offer
    // of nothing still tells a waiter whose own lease was under way to look again.
    waiters->offer(unhanded);
    done(std::move(out));
  };
  write(std::move(work), std::move(then));
}

}  // namespace jobq
