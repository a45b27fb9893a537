// Leases: order, what a request is served, one holder per job, heartbeats and soft timeouts.
#include <gtest/gtest.h>

#include <set>

#include "store/conformance.h"

namespace jobq::testing {

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

}  // namespace jobq::testing
