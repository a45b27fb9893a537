// Cancel and retry by hand.
#include <gtest/gtest.h>

#include "store/conformance.h"

namespace jobq::testing {

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

}  // namespace jobq::testing
