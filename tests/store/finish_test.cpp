// The end of an attempt: completions, failures, backoff, the dead-letter list, stale tokens.
#include <gtest/gtest.h>

#include "store/conformance.h"

namespace jobq::testing {

TEST_P(StoreConformance, CompleteStoresTheResultOnce) {
  Job submitted = f.submit();
  Job job = f.lease_one();
  f.clock.advance(250);
  auto done = engine().complete(job.id, job.lease_token, R"({"url":"x"})");
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->status, JobStatus::completed);
  Job stored = f.get(job.id);
  EXPECT_EQ(stored.result, R"({"url":"x"})");
  EXPECT_EQ(stored.completed_at, f.clock.now());
  EXPECT_TRUE(stored.lease_token.empty());
  auto again = engine().complete(job.id, job.lease_token, "2");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::conflict);
  EXPECT_EQ(f.get(job.id).result, R"({"url":"x"})");
  EXPECT_EQ(f.event_names(submitted.id),
            (std::vector<std::string>{"submitted", "started", "completed"}));
}

TEST_P(StoreConformance, CompleteManyAnswersEachCompletionOnItsOwn) {
  for (int i = 0; i < 3; ++i) f.submit();
  auto jobs = f.lease(3);
  ASSERT_EQ(jobs.size(), 3u);
  auto out = engine().complete_many({{jobs[0].id, jobs[0].lease_token, "1"},
                                     {jobs[1].id, "stale", "2"},
                                     {jobs[2].id, jobs[2].lease_token, "{bad"},
                                     {"01890000-0000-7000-8000-000000000000", "t", "3"}});
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->size(), 4u);
  ASSERT_TRUE((*out)[0].ok());
  EXPECT_EQ((*out)[0]->status, JobStatus::completed);
  EXPECT_EQ((*out)[1].error().code(), ErrorCode::conflict);
  EXPECT_EQ((*out)[2].error().field(), "result");
  EXPECT_EQ((*out)[3].error().code(), ErrorCode::not_found);
  EXPECT_EQ(f.get(jobs[0].id).result, "1");
  EXPECT_EQ(f.get(jobs[1].id).status, JobStatus::running);
  EXPECT_EQ(f.get(jobs[2].id).status, JobStatus::running);
}

TEST_P(StoreConformance, StaleTokenChangesNothing) {
  f.submit();
  Job job = f.lease_one();
  Job before = f.get(job.id);
  const std::string stale = "00000000000000000000000000000000";
  Progress p;
  p.progress = 50;
  auto hb = engine().heartbeat(job.id, stale, p);
  auto done = engine().complete(job.id, stale, "1");
  auto failed = engine().fail(job.id, stale, {"boom"});
  for (ErrorCode code : {hb.ok() ? ErrorCode::ok : hb.error().code(),
                         done.ok() ? ErrorCode::ok : done.error().code(),
                         failed.ok() ? ErrorCode::ok : failed.error().code()})
    EXPECT_EQ(code, ErrorCode::conflict);
  EXPECT_EQ(f.get(job.id), before);
}

TEST_P(StoreConformance, UnknownIdIsNotFound) {
  const std::string id = "01890000-0000-7000-8000-000000000000";
  for (ErrorCode code :
       {engine().get(id).error().code(), engine().cancel(id).error().code(),
        engine().retry(id).error().code(), engine().complete(id, "tok", "1").error().code(),
        engine().heartbeat(id, "tok", {}).error().code()})
    EXPECT_EQ(code, ErrorCode::not_found);
}

TEST_P(StoreConformance, FailedAttemptsRetryWithBackoffThenDeadLetter) {
  Job submitted = f.submit();
  for (int attempt = 1; attempt <= 3; ++attempt) {
    Job job = f.lease_one();
    EXPECT_EQ(job.attempt, attempt);
    auto failed = engine().fail(job.id, job.lease_token, {"boom " + std::to_string(attempt), "tb"});
    ASSERT_TRUE(failed.ok()) << failed.error().to_string();
    if (attempt < 3) {
      std::int64_t delay = 1000 << (attempt - 1);  // 1 s, then 2 s
      EXPECT_EQ(failed->status, JobStatus::scheduled);
      EXPECT_EQ(failed->run_at, f.clock.now() + delay);
      f.clock.advance(delay - 1);
      ASSERT_TRUE(engine().tick().ok());
      EXPECT_TRUE(f.lease(1).empty());
      f.clock.advance(1);
      ASSERT_TRUE(engine().tick().ok());
    } else {
      EXPECT_EQ(failed->status, JobStatus::failed);
    }
  }
  Job dead = f.get(submitted.id);
  EXPECT_EQ(dead.status, JobStatus::failed);
  ASSERT_EQ(dead.errors.size(), 3u);
  EXPECT_EQ(dead.errors[2].message, "boom 3");
  EXPECT_EQ(dead.errors[2].attempt, 3);
  EXPECT_EQ(dead.errors[0].traceback, "tb");
  auto names = f.event_names(submitted.id);
  EXPECT_EQ(names.back(), "failed");
  EXPECT_EQ(std::count(names.begin(), names.end(), "retrying"), 2);
}

TEST_P(StoreConformance, AFailedAttemptRequeuedAtOnceIsStillARetry) {
  JobSpec spec = f.spec();
  spec.backoff = Backoff{0, 2.0, 0, false};
  Job job = f.submit(spec);
  Job leased = f.lease_one();
  auto failed = engine().fail(leased.id, leased.lease_token, {"flaky"});
  ASSERT_TRUE(failed.ok()) << failed.error().to_string();
  EXPECT_EQ(failed->status, JobStatus::queued);
  EXPECT_EQ(f.event_names(job.id), (std::vector<std::string>{"submitted", "started", "retrying"}));
}

TEST_P(StoreConformance, NonRetryableFailureGoesStraightToDeadLetters) {
  f.submit();
  Job job = f.lease_one();
  auto failed = engine().fail(job.id, job.lease_token, {"bad input", "", false});
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->status, JobStatus::failed);
  EXPECT_EQ(failed->attempt, 1);
}

TEST_P(StoreConformance, AFailureMayNameWhenItsRetryRuns) {
  Job job = f.submit();  // the fixture's backoff is not 30 s
  Job leased = f.lease_one();
  FailReport report{"rate limited"};
  report.retry_in_ms = 30'000;
  auto failed = engine().fail(leased.id, leased.lease_token, report);
  ASSERT_TRUE(failed.ok()) << failed.error().to_string();
  EXPECT_EQ(failed->status, JobStatus::scheduled);
  EXPECT_EQ(failed->run_at, f.clock.now() + 30'000);
  EXPECT_EQ(failed->attempt, 1);
  f.clock.advance(29'999);
  ASSERT_TRUE(engine().tick().ok());
  EXPECT_EQ(f.get(job.id).status, JobStatus::scheduled);
  f.clock.advance(1);
  ASSERT_TRUE(engine().tick().ok());
  EXPECT_EQ(f.get(job.id).status, JobStatus::queued);
}

TEST_P(StoreConformance, AFailureThatDoesNotCountGivesItsAttemptBack) {
  JobSpec spec = f.spec();
  spec.max_attempts = 1;
  Job job = f.submit(spec);
  for (int round = 0; round < 3; ++round) {
    Job leased = f.lease_one();
    EXPECT_EQ(leased.attempt, 1);
    FailReport report{"not yet"};
    report.retry_in_ms = 0;
    report.count_attempt = false;
    auto failed = engine().fail(leased.id, leased.lease_token, report);
    ASSERT_TRUE(failed.ok()) << failed.error().to_string();
    EXPECT_EQ(failed->status, JobStatus::queued) << "round " << round;
    EXPECT_EQ(failed->attempt, 0);
  }
  Job last = f.get(job.id);
  ASSERT_EQ(last.errors.size(), 3u);  // each failure is still recorded
  EXPECT_EQ(last.errors[2].message, "not yet");
  EXPECT_EQ(last.errors[2].attempt, 1);
  Job leased = f.lease_one();
  auto dead = engine().fail(leased.id, leased.lease_token, {"counted"});
  ASSERT_TRUE(dead.ok());
  EXPECT_EQ(dead->status, JobStatus::failed);
}

TEST_P(StoreConformance, RetryFieldsOnANonRetryableFailureAreRefused) {
  f.submit();
  Job leased = f.lease_one();
  FailReport report{"x", "", false};
  report.retry_in_ms = 10;
  auto failed = engine().fail(leased.id, leased.lease_token, report);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().field(), "retry_in_ms");
  report = {"x", "", false};
  report.count_attempt = false;
  failed = engine().fail(leased.id, leased.lease_token, report);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().field(), "count_attempt");
  report = {"x"};
  report.retry_in_ms = -1;
  failed = engine().fail(leased.id, leased.lease_token, report);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().field(), "retry_in_ms");
  EXPECT_EQ(f.get(leased.id).status, JobStatus::running);  // nothing was written
}

TEST_P(StoreConformance, BackoffWithJitterStaysWithinItsCap) {
  EngineFixture g(GetParam());  // default backoff: 1 s initial, jitter on
  JobSpec s = g.spec();
  s.max_attempts = 10;
  g.submit(s);
  Job job = g.lease_one();
  auto failed = g.engine->fail(job.id, job.lease_token, {"boom"});
  ASSERT_TRUE(failed.ok());
  EXPECT_GE(failed->run_at, g.clock.now());
  EXPECT_LE(failed->run_at, g.clock.now() + 1000);
}

}  // namespace jobq::testing
