// Submits: defaults, batches, delays, idempotency keys, dependencies and bad input.
#include <gtest/gtest.h>

#include "store/conformance.h"

namespace jobq::testing {

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

TEST_P(StoreConformance, ABackoffWithAJitterFractionReadsBack) {
  JobSpec s = f.spec();
  s.backoff = Backoff{250, 1.5, 9000, 0.25};
  Job job = f.submit(s);
  EXPECT_EQ(f.get(job.id).backoff, *s.backoff);
  s.backoff->jitter = 0;
  EXPECT_EQ(f.get(f.submit(s).id).backoff, *s.backoff);
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

}  // namespace jobq::testing
