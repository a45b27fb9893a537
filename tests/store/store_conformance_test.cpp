// One suite, run unchanged against every backend: the engine's whole behaviour over each store,
// with a manual clock and no sleeps.
#include <gtest/gtest.h>

#include <atomic>
#include <set>

#include "support/engine_fixture.h"
#include "support/eventually.h"

namespace jobq {
namespace {

using testing::EngineFixture;

class StoreConformance : public ::testing::TestWithParam<std::string> {
 protected:
  EngineFixture f{GetParam(), options()};
  Engine& engine() { return *f.engine; }
  static EngineOptions options() {
    EngineOptions o;
    o.default_backoff = {1000, 2.0, 60'000, false};  // exact delays, so tests can step to them
    o.jitter_seed = 42;
    return o;
  }
};

// --- submit and lease order ---------------------------------------------------------------

TEST_P(StoreConformance, SubmittedJobIsQueuedWithDefaults) {
  JobSpec s = f.spec("send_email");
  s.payload = R"({"to":"a@b.c"})";
  Job job = f.submit(s);
  EXPECT_EQ(job.id.size(), 36u);
  EXPECT_EQ(job.status, JobStatus::queued);
  EXPECT_EQ(job.priority, 50);
  EXPECT_EQ(job.max_attempts, 3);
  EXPECT_EQ(job.created_at, f.clock.now());
  Job stored = f.get(job.id);
  EXPECT_EQ(stored.payload, R"({"to":"a@b.c"})");
  EXPECT_EQ(stored.type, "send_email");
  EXPECT_EQ(stored.status, JobStatus::queued);
  EXPECT_EQ(f.event_names(job.id), std::vector<std::string>{"submitted"});
}

TEST_P(StoreConformance, LeaseTakesHigherPriorityFirstThenSubmitOrder) {
  Job low = f.submit("t", "default", 10);
  Job normal1 = f.submit("t", "default", 50);
  Job high = f.submit("t", "default", 80);
  Job normal2 = f.submit("t", "default", 50);
  auto jobs = f.lease(10);
  ASSERT_EQ(jobs.size(), 4u);
  EXPECT_EQ(jobs[0].id, high.id);
  EXPECT_EQ(jobs[1].id, normal1.id);
  EXPECT_EQ(jobs[2].id, normal2.id);
  EXPECT_EQ(jobs[3].id, low.id);
}

TEST_P(StoreConformance, LeaseServesOnlyTheQueuesAndTypesAsked) {
  Job a = f.submit("resize", "images");
  Job b = f.submit("email", "mail");
  Job c = f.submit("thumbnail", "images");
  EXPECT_TRUE(f.lease(5, {"other"}).empty());
  auto thumbs = f.lease(5, {"images"}, {"thumbnail"});
  ASSERT_EQ(thumbs.size(), 1u);
  EXPECT_EQ(thumbs[0].id, c.id);
  auto images = f.lease(5, {"images", "mail"}, {"resize", "email"});
  ASSERT_EQ(images.size(), 2u);
  EXPECT_EQ(images[0].id, a.id);
  EXPECT_EQ(images[1].id, b.id);
}

TEST_P(StoreConformance, PausedQueueLeasesNothingUntilResumed) {
  Job image = f.submit("resize", "images");
  Job mail = f.submit("email", "mail");
  ASSERT_TRUE(engine().pause_queue("images").ok());
  EXPECT_EQ(*engine().paused_queues(), std::vector<std::string>{"images"});
  auto leased = f.lease(5, {"images", "mail"});
  ASSERT_EQ(leased.size(), 1u);
  EXPECT_EQ(leased[0].id, mail.id);
  EXPECT_EQ(f.get(image.id).status, JobStatus::queued);

  std::atomic<bool> woken{false};
  LeaseRequest waiting{.worker_id = "w2", .queues = {"images"}};
  engine().lease_async(waiting, [&](Result<std::vector<Job>> r) {
    EXPECT_TRUE(r.ok() && r->size() == 1 && r->front().id == image.id);
    woken = true;
  });
  EXPECT_FALSE(woken);
  ASSERT_TRUE(engine().resume_queue("images").ok());
  // Resuming serves the waiting lease (with no sweeper here, nothing else could).
  EXPECT_TRUE(testing::eventually([&] { return woken.load(); }));
  EXPECT_TRUE(engine().paused_queues()->empty());
}

TEST_P(StoreConformance, LeaseGivesEachJobOnceWithAttemptAndToken) {
  for (int i = 0; i < 5; ++i) f.submit();
  auto first = f.lease(3);
  auto second = f.lease(3);
  ASSERT_EQ(first.size(), 3u);
  ASSERT_EQ(second.size(), 2u);
  std::set<std::string> ids;
  for (const auto& j : first) ids.insert(j.id);
  for (const auto& j : second) ids.insert(j.id);
  EXPECT_EQ(ids.size(), 5u);
  EXPECT_EQ(first[0].status, JobStatus::running);
  EXPECT_EQ(first[0].attempt, 1);
  EXPECT_EQ(first[0].worker_id, "w1");
  EXPECT_EQ(first[0].lease_token.size(), 32u);
  EXPECT_EQ(first[0].lease_expires_at, f.clock.now() + 30'000);
  EXPECT_TRUE(f.lease(1).empty());
}

TEST_P(StoreConformance, BatchSubmitKeepsOrder) {
  std::vector<JobSpec> specs;
  for (int i = 0; i < 10; ++i) specs.push_back(f.spec("t" + std::to_string(i)));
  auto out = engine().submit_batch(specs);
  ASSERT_TRUE(out.ok());
  auto jobs = f.lease(10);
  ASSERT_EQ(jobs.size(), 10u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(jobs[i].type, "t" + std::to_string(i));
}

// --- scheduled jobs -----------------------------------------------------------------------

TEST_P(StoreConformance, DelayedJobWaitsUntilDue) {
  JobSpec s = f.spec();
  s.delay_ms = 5000;
  Job job = f.submit(s);
  EXPECT_EQ(job.status, JobStatus::scheduled);
  EXPECT_EQ(job.run_at, f.clock.now() + 5000);
  EXPECT_TRUE(f.lease(1).empty());
  f.clock.advance(4999);
  ASSERT_TRUE(engine().tick().ok());
  EXPECT_TRUE(f.lease(1).empty());
  f.clock.advance(1);
  auto tick = engine().tick();
  ASSERT_TRUE(tick.ok());
  EXPECT_EQ(tick->promoted, 1u);
  EXPECT_EQ(f.lease_one().id, job.id);
  EXPECT_EQ(f.event_names(job.id), (std::vector<std::string>{"submitted", "queued", "started"}));
}

TEST_P(StoreConformance, RunAtInThePastIsQueuedAtOnce) {
  JobSpec s = f.spec();
  s.run_at = f.clock.now() - 1000;
  EXPECT_EQ(f.submit(s).status, JobStatus::queued);
}

TEST_P(StoreConformance, UpdateChangesPriorityAndRunAtOfAJobNotStarted) {
  Job a = f.submit();
  Job b = f.submit();
  auto up = engine().update(b.id, 90, std::nullopt);
  ASSERT_TRUE(up.ok());
  EXPECT_EQ(up->priority, 90);
  EXPECT_EQ(f.lease_one().id, b.id);
  auto later = engine().update(a.id, std::nullopt, f.clock.now() + 1000);
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->status, JobStatus::scheduled);
  EXPECT_TRUE(f.lease(1).empty());
  auto running = engine().update(b.id, 10, std::nullopt);
  ASSERT_FALSE(running.ok());
  EXPECT_EQ(running.error().code(), ErrorCode::conflict);
}

// --- idempotency ----------------------------------------------------------------------------

TEST_P(StoreConformance, IdempotencyKeyReturnsTheLiveJob) {
  JobSpec s = f.spec();
  s.idempotency_key = "order-17";
  auto first = engine().submit(s);
  auto second = engine().submit(s);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_TRUE(first->created);
  EXPECT_FALSE(second->created);
  EXPECT_EQ(first->job.id, second->job.id);
  // Once finished, the key is free again.
  Job leased = f.lease_one();
  ASSERT_TRUE(engine().complete(leased.id, leased.lease_token, "1").ok());
  auto third = engine().submit(s);
  ASSERT_TRUE(third.ok());
  EXPECT_TRUE(third->created);
  EXPECT_NE(third->job.id, first->job.id);
}

// --- heartbeat, complete, stale tokens --------------------------------------------------------

TEST_P(StoreConformance, HeartbeatRecordsProgressAndRenewsTheLease) {
  f.submit();
  Job job = f.lease_one();
  f.clock.advance(10'000);
  Progress p;
  p.stage = "rendering";
  p.message = "frame 3 of 4";
  p.processed_items = 3;
  p.total_items = 4;
  auto reply = engine().heartbeat(job.id, job.lease_token, p);
  ASSERT_TRUE(reply.ok()) << reply.error().to_string();
  EXPECT_FALSE(reply->cancel_requested);
  EXPECT_EQ(reply->lease_expires_at, f.clock.now() + 30'000);
  Job stored = f.get(job.id);
  EXPECT_DOUBLE_EQ(stored.progress, 75.0);
  EXPECT_EQ(stored.stage, "rendering");
  EXPECT_EQ(stored.progress_message, "frame 3 of 4");
  EXPECT_EQ(stored.processed_items, 3);
  EXPECT_EQ(stored.lease_expires_at, f.clock.now() + 30'000);
}

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

// --- failure, backoff, dead letters -----------------------------------------------------------

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

TEST_P(StoreConformance, RetryResetsAttemptsOfAFailedJob) {
  f.submit();
  Job job = f.lease_one();
  ASSERT_TRUE(engine().fail(job.id, job.lease_token, {"x", "", false}).ok());
  auto retried = engine().retry(job.id);
  ASSERT_TRUE(retried.ok());
  EXPECT_EQ(retried->status, JobStatus::queued);
  EXPECT_EQ(retried->attempt, 0);
  EXPECT_EQ(retried->errors.size(), 1u);  // history kept
  EXPECT_EQ(f.lease_one().attempt, 1);
}

TEST_P(StoreConformance, RetryOfAJobThatIsNotFinishedIsAConflict) {
  Job job = f.submit();
  auto r = engine().retry(job.id);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::conflict);
  EXPECT_EQ(f.get(job.id).status, JobStatus::queued);
}

TEST_P(StoreConformance, RetryWhereRetriesMatchingDeadLetters) {
  for (const char* type : {"a", "a", "b"}) {
    f.submit(type);
    Job job = f.lease_one();
    ASSERT_TRUE(engine().fail(job.id, job.lease_token, {"x", "", false}).ok());
  }
  JobFilter only_a;
  only_a.type = "a";
  auto retried = engine().retry_where(only_a);
  ASSERT_TRUE(retried.ok());
  EXPECT_EQ(retried->size(), 2u);
  auto rest = engine().retry_where({});
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->size(), 1u);
  EXPECT_EQ(f.lease(10).size(), 3u);
}

// --- cancel -------------------------------------------------------------------------------------

TEST_P(StoreConformance, CancelOfQueuedScheduledOrWaitingIsImmediate) {
  Job queued = f.submit();
  JobSpec later = f.spec();
  later.delay_ms = 60'000;
  Job scheduled = f.submit(later);
  Job running_dep = f.submit("dep");
  JobSpec waits = f.spec();
  waits.depends_on = {running_dep.id};
  Job waiting = f.submit(waits);
  ASSERT_EQ(waiting.status, JobStatus::waiting);
  for (const Job& j : {queued, scheduled, waiting}) {
    auto c = engine().cancel(j.id);
    ASSERT_TRUE(c.ok()) << c.error().to_string();
    EXPECT_EQ(c->status, JobStatus::cancelled);
    EXPECT_EQ(f.get(j.id).status, JobStatus::cancelled);
  }
  auto leased = f.lease(10);
  ASSERT_EQ(leased.size(), 1u);
  EXPECT_EQ(leased[0].id, running_dep.id);
}

TEST_P(StoreConformance, CancelOfARunningJobReachesItsWorker) {
  Job submitted = f.submit();
  Job job = f.lease_one();
  auto c = engine().cancel(job.id);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->status, JobStatus::running);
  EXPECT_TRUE(c->cancel_requested);
  auto hb = engine().heartbeat(job.id, job.lease_token, {});
  ASSERT_TRUE(hb.ok());
  EXPECT_TRUE(hb->cancel_requested);
  // The worker gives up: the job is cancelled, not retried.
  auto gave_up = engine().fail(job.id, job.lease_token, {"cancelled by request"});
  ASSERT_TRUE(gave_up.ok());
  EXPECT_EQ(gave_up->status, JobStatus::cancelled);
  EXPECT_TRUE(f.lease(1).empty());
  EXPECT_EQ(f.event_names(submitted.id),
            (std::vector<std::string>{"submitted", "started", "cancel_requested", "progress",
                                      "cancelled"}));
}

TEST_P(StoreConformance, CancelRequestedJobWhoseLeaseEndsIsCancelled) {
  f.submit();
  Job job = f.lease_one();
  ASSERT_TRUE(engine().cancel(job.id).ok());
  f.clock.advance(30'000);
  ASSERT_TRUE(engine().tick().ok());
  EXPECT_EQ(f.get(job.id).status, JobStatus::cancelled);
}

TEST_P(StoreConformance, CancelOfAFinishedJobIsAConflict) {
  f.submit();
  Job job = f.lease_one();
  ASSERT_TRUE(engine().complete(job.id, job.lease_token, "1").ok());
  auto c = engine().cancel(job.id);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), ErrorCode::conflict);
  EXPECT_EQ(f.get(job.id).status, JobStatus::completed);
}

// --- leases and timeouts -----------------------------------------------------------------------

TEST_P(StoreConformance, ExpiredLeaseCountsAsAFailedAttemptAndTheJobIsLeasedAgain) {
  f.submit();
  Job first = f.lease_one("w1", 5000);
  f.clock.advance(4999);
  ASSERT_EQ(engine().tick()->expired, 0u);
  f.clock.advance(1);
  ASSERT_EQ(engine().tick()->expired, 1u);
  Job after = f.get(first.id);
  ASSERT_EQ(after.errors.size(), 1u);
  EXPECT_EQ(after.errors[0].message, "lease expired");
  f.clock.advance(1000);  // the backoff
  ASSERT_TRUE(engine().tick().ok());
  Job second = f.lease_one("w2");
  EXPECT_EQ(second.id, first.id);
  EXPECT_EQ(second.attempt, 2);
  // The first worker's token is stale now.
  auto late = engine().complete(first.id, first.lease_token, "1");
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code(), ErrorCode::conflict);
  EXPECT_TRUE(engine().complete(second.id, second.lease_token, "2").ok());
}

TEST_P(StoreConformance, HeartbeatsKeepTheLeaseAlive) {
  f.submit();
  Job job = f.lease_one("w1", 5000);
  for (int i = 0; i < 5; ++i) {
    f.clock.advance(4000);
    ASSERT_TRUE(engine().heartbeat(job.id, job.lease_token, {}).ok());
    ASSERT_EQ(engine().tick()->expired, 0u);
  }
  EXPECT_EQ(f.get(job.id).status, JobStatus::running);
}

TEST_P(StoreConformance, LostLeaseOnTheLastAttemptDeadLetters) {
  JobSpec s = f.spec();
  s.max_attempts = 1;
  f.submit(s);
  Job job = f.lease_one("w1", 1000);
  f.clock.advance(1000);
  ASSERT_TRUE(engine().tick().ok());
  Job dead = f.get(job.id);
  EXPECT_EQ(dead.status, JobStatus::failed);
  EXPECT_EQ(dead.error()->message, "lease expired");
}

TEST_P(StoreConformance, HardTimeoutFailsTheAttemptEvenWithHeartbeats) {
  JobSpec s = f.spec();
  s.timeout_ms = 10'000;
  s.max_attempts = 1;
  f.submit(s);
  Job job = f.lease_one();
  f.clock.advance(9'000);
  ASSERT_TRUE(engine().heartbeat(job.id, job.lease_token, {}).ok());
  ASSERT_EQ(engine().tick()->expired, 0u);
  f.clock.advance(1'000);
  ASSERT_EQ(engine().tick()->expired, 1u);
  Job dead = f.get(job.id);
  EXPECT_EQ(dead.status, JobStatus::failed);
  EXPECT_EQ(dead.error()->message, "timed out");
}

TEST_P(StoreConformance, SoftTimeoutIsReportedToTheWorker) {
  JobSpec s = f.spec();
  s.soft_timeout_ms = 2000;
  f.submit(s);
  Job job = f.lease_one();
  f.clock.advance(1999);
  EXPECT_FALSE(engine().heartbeat(job.id, job.lease_token, {})->soft_timeout_passed);
  f.clock.advance(1);
  EXPECT_TRUE(engine().heartbeat(job.id, job.lease_token, {})->soft_timeout_passed);
}

// --- dependencies ------------------------------------------------------------------------------

TEST_P(StoreConformance, DependentWaitsUntilItsDependenciesComplete) {
  Job a = f.submit("a");
  Job b = f.submit("b");
  JobSpec s = f.spec("c");
  s.depends_on = {a.id, b.id};
  Job c = f.submit(s);
  EXPECT_EQ(c.status, JobStatus::waiting);
  auto both = f.lease(2);
  ASSERT_EQ(both.size(), 2u);
  ASSERT_TRUE(engine().complete(both[0].id, both[0].lease_token, "1").ok());
  EXPECT_EQ(f.get(c.id).status, JobStatus::waiting);
  ASSERT_TRUE(engine().complete(both[1].id, both[1].lease_token, "1").ok());
  EXPECT_EQ(f.get(c.id).status, JobStatus::queued);
  EXPECT_EQ(f.lease_one().id, c.id);
}

TEST_P(StoreConformance, FailedDependencyFailsItsDependentsInTurn) {
  Job a = f.submit("a");
  JobSpec sb = f.spec("b");
  sb.depends_on = {a.id};
  Job b = f.submit(sb);
  JobSpec sc = f.spec("c");
  sc.depends_on = {b.id};
  Job c = f.submit(sc);
  Job job = f.lease_one();
  ASSERT_TRUE(engine().fail(job.id, job.lease_token, {"x", "", false}).ok());
  EXPECT_EQ(f.get(b.id).status, JobStatus::failed);
  EXPECT_EQ(f.get(c.id).status, JobStatus::failed);
  EXPECT_NE(f.get(c.id).error()->message.find(b.id), std::string::npos);
}

TEST_P(StoreConformance, DependingOnAnUnknownOrFailedJobIsRefused) {
  JobSpec s = f.spec();
  s.depends_on = {"01890000-0000-7000-8000-000000000000"};
  auto r = engine().submit(s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field(), "depends_on");
}

// --- bad input -----------------------------------------------------------------------------------

TEST_P(StoreConformance, BadSubmitsAreTypedErrorsAndWriteNothing) {
  struct Case {
    std::function<void(JobSpec&)> spoil;
    ErrorCode code;
    std::string field;
  };
  std::vector<Case> cases = {
      {[](JobSpec& s) { s.type = ""; }, ErrorCode::invalid_argument, "type"},
      {[](JobSpec& s) { s.type = "has space"; }, ErrorCode::invalid_argument, "type"},
      {[](JobSpec& s) { s.priority = 101; }, ErrorCode::invalid_argument, "priority"},
      {[](JobSpec& s) { s.delay_ms = -1; }, ErrorCode::invalid_argument, "delay_ms"},
      {[](JobSpec& s) { s.payload = "{not json"; }, ErrorCode::invalid_argument, "payload"},
      {[](JobSpec& s) { s.payload = "\"" + std::string(2 << 20, 'x') + "\""; },
       ErrorCode::payload_too_large, "payload"},
      {[](JobSpec& s) { s.max_attempts = 0; }, ErrorCode::invalid_argument, "max_attempts"},
      {[](JobSpec& s) {
         s.backoff = Backoff{1000, 0.5, 10, true};
       },
       ErrorCode::invalid_argument, "backoff"},
  };
  for (const auto& c : cases) {
    JobSpec s = f.spec();
    c.spoil(s);
    auto r = engine().submit(s);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), c.code) << r.error().to_string();
    EXPECT_EQ(r.error().field(), c.field) << r.error().to_string();
  }
  // One bad job in a batch rejects the whole batch.
  std::vector<JobSpec> batch(3, f.spec());
  batch[2].priority = -5;
  auto r = engine().submit_batch(batch);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field(), "jobs[2].priority");
  auto page = engine().list({}, {});
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->jobs.empty());
  EXPECT_TRUE(f.events().empty());
}

// --- listing and stats ---------------------------------------------------------------------------

TEST_P(StoreConformance, ListFiltersByEveryField) {
  JobSpec s1 = f.spec("email", "mail");
  s1.user_id = "u1";
  s1.tags = {"vip", "eu"};
  Job j1 = f.submit(s1);
  f.clock.advance(1000);
  JobSpec s2 = f.spec("video", "media");
  s2.user_id = "u2";
  s2.tags = {"eu"};
  Job j2 = f.submit(s2);
  f.clock.advance(1000);
  Job j3 = f.submit("email", "mail");
  auto ids = [&](JobFilter filter) {
    std::vector<std::string> out;
    auto page = engine().list(filter, {});
    EXPECT_TRUE(page.ok());
    for (const auto& j : page->jobs) out.push_back(j.id);
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(ids({}), (V{j3.id, j2.id, j1.id}));  // newest first by default
  EXPECT_EQ(ids({.queue = "mail"}), (V{j3.id, j1.id}));
  EXPECT_EQ(ids({.type = "video"}), (V{j2.id}));
  EXPECT_EQ(ids({.user_id = "u1"}), (V{j1.id}));
  EXPECT_EQ(ids({.tag = "eu"}), (V{j2.id, j1.id}));
  EXPECT_EQ(ids({.created_after = j2.created_at}), (V{j3.id, j2.id}));
  EXPECT_EQ(ids({.created_before = j2.created_at}), (V{j1.id}));
  f.lease(1, {"media"});
  EXPECT_EQ(ids({.statuses = {JobStatus::running}}), (V{j2.id}));
  EXPECT_EQ(ids({.statuses = {JobStatus::queued}, .queue = "mail"}), (V{j3.id, j1.id}));
}

TEST_P(StoreConformance, CursorPagesCoverEveryJobOnceInOrder) {
  for (int i = 0; i < 23; ++i) {
    f.submit("t", "default", i % 3 * 10);
    f.clock.advance(1);
  }
  for (SortField sort : {SortField::created_at, SortField::priority, SortField::updated_at}) {
    for (bool desc : {true, false}) {
      ListOptions o;
      o.sort = sort;
      o.descending = desc;
      o.limit = 5;
      std::vector<Job> all;
      for (int page_no = 0; page_no < 10; ++page_no) {
        auto page = engine().list({}, o);
        ASSERT_TRUE(page.ok());
        all.insert(all.end(), page->jobs.begin(), page->jobs.end());
        if (page->next_cursor.empty()) break;
        o.cursor = page->next_cursor;
      }
      ASSERT_EQ(all.size(), 23u);
      std::set<std::string> ids;
      for (const auto& j : all) ids.insert(j.id);
      EXPECT_EQ(ids.size(), 23u);
      if (sort == SortField::priority) {
        for (std::size_t i = 1; i < all.size(); ++i) {
          EXPECT_TRUE(desc ? all[i - 1].priority >= all[i].priority
                           : all[i - 1].priority <= all[i].priority);
        }
      }
    }
  }
  ListOptions bad;
  bad.cursor = "garbage";
  EXPECT_EQ(engine().list({}, bad).error().field(), "cursor");
  bad.cursor.clear();
  bad.limit = 0;
  EXPECT_EQ(engine().list({}, bad).error().field(), "limit");
}

TEST_P(StoreConformance, StatsCountByStatusQueueAndTypeWithRunTimes) {
  for (int i = 0; i < 4; ++i) f.submit("render", "media");
  f.submit("email", "mail");
  for (int i = 0; i < 4; ++i) {
    Job job = f.lease(1, {"media"}).front();
    f.clock.advance(100 * (i + 1));
    if (i < 3)
      ASSERT_TRUE(engine().complete(job.id, job.lease_token, "1").ok());
    else
      ASSERT_TRUE(engine().fail(job.id, job.lease_token, {"x", "", false}).ok());
  }
  auto stats = engine().stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->by_status[int(JobStatus::completed)], 3);
  EXPECT_EQ(stats->by_status[int(JobStatus::failed)], 1);
  EXPECT_EQ(stats->by_status[int(JobStatus::queued)], 1);
  ASSERT_EQ(stats->by_queue.size(), 2u);
  EXPECT_EQ(stats->by_queue[1].first, "media");
  EXPECT_EQ(stats->by_queue[1].second[int(JobStatus::completed)], 3);
  ASSERT_EQ(stats->by_type.size(), 2u);
  const TypeStats& render = stats->by_type[1];
  EXPECT_EQ(render.type, "render");
  EXPECT_DOUBLE_EQ(render.mean_run_ms, 250.0);  // 100, 200, 300, 400
  EXPECT_DOUBLE_EQ(render.p95_run_ms, 400.0);
  EXPECT_DOUBLE_EQ(render.success_rate, 0.75);
}

// --- retention and purge -------------------------------------------------------------------------

TEST_P(StoreConformance, CompletedJobsArePurgedAfterSevenDaysAndDeadLettersKept) {
  f.submit("ok");
  f.submit("bad");
  Job ok = f.lease_one();
  Job bad = f.lease_one();
  ASSERT_TRUE(engine().complete(ok.id, ok.lease_token, "1").ok());
  ASSERT_TRUE(engine().fail(bad.id, bad.lease_token, {"x", "", false}).ok());
  f.clock.advance(7LL * 24 * 3600 * 1000 - 1);
  EXPECT_EQ(engine().tick()->purged, 0u);
  f.clock.advance(1);
  EXPECT_EQ(engine().tick()->purged, 1u);
  EXPECT_EQ(engine().get(ok.id).error().code(), ErrorCode::not_found);
  EXPECT_EQ(f.get(bad.id).status, JobStatus::failed);
  EXPECT_EQ(f.event_names(ok.id).back(), "purged");
}

TEST_P(StoreConformance, PurgeRemovesFinishedJobsByAgeAndStatus) {
  std::vector<Job> done;
  for (int i = 0; i < 3; ++i) f.submit();
  for (int i = 0; i < 3; ++i) {
    Job job = f.lease_one();
    if (i == 2)
      ASSERT_TRUE(engine().fail(job.id, job.lease_token, {"x", "", false}).ok());
    else
      ASSERT_TRUE(engine().complete(job.id, job.lease_token, "1").ok());
    f.clock.advance(1000);
  }
  Job queued = f.submit();
  auto purged = engine().purge(f.clock.now(), {JobStatus::completed});
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 2u);
  auto all = engine().list({}, {});
  ASSERT_EQ(all->jobs.size(), 2u);
  EXPECT_EQ(engine().purge(f.clock.now(), {JobStatus::queued}).error().field(), "statuses");
  EXPECT_EQ(f.get(queued.id).status, JobStatus::queued);
}

TEST_P(StoreConformance, RemoveDeletesAFinishedJobAndRefusesAnActiveOne) {
  f.submit();
  Job job = f.lease_one();
  ASSERT_TRUE(engine().complete(job.id, job.lease_token, "1").ok());
  Job queued = f.submit();

  auto active = engine().remove(queued.id);
  ASSERT_FALSE(active.ok());
  EXPECT_EQ(active.error().code(), ErrorCode::conflict);
  EXPECT_EQ(f.get(queued.id).status, JobStatus::queued);

  auto removed = engine().remove(job.id);
  ASSERT_TRUE(removed.ok()) << removed.error().to_string();
  EXPECT_EQ(removed->status, JobStatus::completed);
  EXPECT_EQ(engine().get(job.id).error().code(), ErrorCode::not_found);
  EXPECT_EQ(engine().remove(job.id).error().code(), ErrorCode::not_found);
  EXPECT_EQ(engine().list({}, {})->jobs.size(), 1u);
}

TEST_P(StoreConformance, DeadLetterListIsCappedOldestFirst) {
  EngineOptions o = options();
  o.dead_letter_cap = 2;
  EngineFixture g(GetParam(), o);
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    g.submit();
    Job job = g.lease_one();
    ASSERT_TRUE(g.engine->fail(job.id, job.lease_token, {"x", "", false}).ok());
    ids.push_back(job.id);
    g.clock.advance(10);
  }
  EXPECT_EQ(g.engine->tick()->purged, 1u);
  EXPECT_EQ(g.engine->get(ids[0]).error().code(), ErrorCode::not_found);
  EXPECT_TRUE(g.engine->get(ids[1]).ok());
  EXPECT_TRUE(g.engine->get(ids[2]).ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformance, ::testing::Values("memory", "sqlite"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace jobq
