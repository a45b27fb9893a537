// The end of an attempt: complete, fail, release, and what each does to the job and its dependents.
#include "core/job_spec.h"
#include "engine/engine_impl.h"

namespace jobq {

Status Engine::Impl::check_result(std::string& result) const {
  if (result.empty()) result = "null";
  if (result.size() > options.max_payload_bytes)
    return Error(ErrorCode::payload_too_large, "result is larger than the payload limit", "result");
  return check_json(result, "result");
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
  Impl& d = *impl_;
  auto out = std::make_shared<std::vector<Result<Job>>>(completions.size(),
                                                        Error::invalid("result", "unchecked"));
  auto valid = std::make_shared<std::vector<Completion>>();
  auto where = std::make_shared<std::vector<std::size_t>>();
  for (std::size_t i = 0; i < completions.size(); ++i) {
    Completion& c = completions[i];
    if (Status s = d.check_result(c.result_json); !s.ok()) {
      (*out)[i] = s;
      continue;
    }
    valid->push_back(std::move(c));
    where->push_back(i);
  }
  if (valid->empty()) return done(std::move(*out));
  Millis now = d.clock.now();
  d.write(
      [&d, valid, now](WriteGroup& g) -> Result<std::vector<Result<Finished>>> {
        auto finished = g.complete_many(std::move(*valid), now, d.options.retention);
        if (!finished) return finished;
        for (auto& f : *finished) {
          if (!f) continue;
          f = d.add_webhooks(g, std::move(f), now);
          // The write stands or falls whole: a completion whose webhooks were not added must not
          // be kept without them.
          if (!f) return f.error();
        }
        return finished;
      },
      [&d, out, where, done = std::move(done)](Result<std::vector<Result<Finished>>> finished) {
        if (!finished) return done(finished.error());
        auto& results = *finished;
        for (std::size_t k = 0; k < results.size(); ++k) {
          auto& r = results[k];
          if (!r) {
            (*out)[(*where)[k]] = r.error();
            continue;
          }
          d.publish_finished(r->job, r->dependents);
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
  Impl& d = *impl_;
  Millis now = d.clock.now();
  // The job is read inside the write, so that its attempt and cancel flag are those it fails with.
  d.write(
      [&d, id, token, report = std::move(report), now](WriteGroup& g) -> Result<Finished> {
        auto job = g.current(id);
        if (!job) return job.error();
        if (!*job) return job_not_found(id);
        if (Status s = check_lease(**job, token); !s.ok()) return s;
        return d.end_attempt(g, **job, token, report, now);
      },
      [&d, done = std::move(done)](Result<Finished> finished) {
        done(d.attempt_ended(std::move(finished)));
      });
}

Result<Job> Engine::release(const std::string& id, const std::string& token) {
  return wait_for<Job>([&](Done<Job> done) { release_async(id, token, std::move(done)); });
}

void Engine::release_async(const std::string& id, const std::string& token, Done<Job> done) {
  Impl& d = *impl_;
  Millis now = d.clock.now();
  d.write(
      [&d, id, token, now](WriteGroup& g) {
        return d.add_webhooks(
            g, g.fail(id, token, Failure{{}, Failure::Then::release}, now, d.options.retention),
            now);
      },
      [&d, done = std::move(done)](Result<Finished> r) {
        if (!r) return done(r.error());
        std::optional<EventType> type;
        if (r->job.status == JobStatus::queued) type = EventType::queued;
        d.publish_finished(r->job, r->dependents, type);
        done(std::move(r->job));
      });
}

Result<Finished> Engine::Impl::end_attempt(WriteGroup& group, const Job& job,
                                           const std::string& token, const FailReport& report,
                                           Millis now) {
  Failure failure{{report.message, report.traceback, job.attempt, now}};
  failure.count_attempt = report.count_attempt;
  int spent = job.attempt - (report.count_attempt ? 0 : 1);
  if (job.cancel_requested) {
    failure.then = Failure::Then::cancel;
  } else if (!report.retryable || spent >= job.max_attempts) {
    failure.then = Failure::Then::dead;
  } else {
    failure.retry_at =
        now + (report.retry_in_ms ? *report.retry_in_ms : backoff_delay(job.backoff, job.attempt));
  }
  return add_webhooks(group, group.fail(job.id, token, failure, now, options.retention), now);
}

Result<Job> Engine::Impl::attempt_ended(Result<Finished> done) {
  if (!done) return done.error();
  // Back in line, whether after a backoff (scheduled) or at once (queued): another attempt comes.
  std::optional<EventType> type;
  if (is_active(done->job.status)) type = EventType::retrying;
  publish_finished(done->job, done->dependents, type);
  return std::move(done->job);
}

}  // namespace jobq
