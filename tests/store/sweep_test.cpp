// Time-driven work: promotion of delayed jobs, lost leases and hard timeouts, retention, purge.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "store/conformance.h"

namespace jobq::testing {

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

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

TEST_P(StoreConformance, CompletedJobsAreKeptADayFailedAndCancelledOnesAWeek) {
  f.submit("ok");
  f.submit("bad");
  Job gone = f.submit("gone");
  Job ok = f.lease_one();
  Job bad = f.lease_one();
  ASSERT_TRUE(engine().complete(ok.id, ok.lease_token, "1").ok());
  ASSERT_TRUE(engine().fail(bad.id, bad.lease_token, {"x", "", false}).ok());
  ASSERT_TRUE(engine().cancel(gone.id).ok());
  EXPECT_EQ(f.get(ok.id).expires_at, f.clock.now() + kDayMs);
  EXPECT_EQ(f.get(bad.id).expires_at, f.clock.now() + 7 * kDayMs);
  EXPECT_EQ(f.get(gone.id).expires_at, f.clock.now() + 7 * kDayMs);

  f.clock.advance(kDayMs - 1);
  EXPECT_EQ(engine().tick()->purged, 0u);
  f.clock.advance(1);
  EXPECT_EQ(engine().tick()->purged, 1u);
  EXPECT_EQ(engine().get(ok.id).error().code(), ErrorCode::not_found);
  EXPECT_EQ(f.event_names(ok.id).back(), "purged");
  EXPECT_EQ(f.get(bad.id).status, JobStatus::failed);

  f.clock.advance(6 * kDayMs);
  EXPECT_EQ(engine().tick()->purged, 2u);
  EXPECT_EQ(engine().get(bad.id).error().code(), ErrorCode::not_found);
  EXPECT_EQ(engine().get(gone.id).error().code(), ErrorCode::not_found);
}

TEST_P(StoreConformance, AQueueMayKeepItsFinishedJobsForTimesOfItsOwn) {
  EngineOptions o = options();
  o.retention.queues["mail"].completed_ms = 1000;
  o.retention.queues["mail"].failed_ms = 0;  // kept until purged by hand
  EngineFixture g(GetParam(), o);
  g.submit("t", "mail");
  g.submit("t", "mail");
  g.submit("t", "default");
  Job sent = g.lease(1, {"mail"}).at(0);
  Job bounced = g.lease(1, {"mail"}).at(0);
  Job other = g.lease(1, {"default"}).at(0);
  ASSERT_TRUE(g.engine->complete(sent.id, sent.lease_token, "1").ok());
  ASSERT_TRUE(g.engine->fail(bounced.id, bounced.lease_token, {"x", "", false}).ok());
  ASSERT_TRUE(g.engine->complete(other.id, other.lease_token, "1").ok());
  EXPECT_EQ(g.get(bounced.id).expires_at, 0);
  EXPECT_EQ(g.get(other.id).expires_at, g.clock.now() + kDayMs);  // the server's setting

  g.clock.advance(1000);
  EXPECT_EQ(g.engine->tick()->purged, 1u);
  EXPECT_EQ(g.engine->get(sent.id).error().code(), ErrorCode::not_found);
  g.clock.advance(30 * kDayMs);
  EXPECT_EQ(g.engine->tick()->purged, 1u);
  EXPECT_EQ(g.engine->get(other.id).error().code(), ErrorCode::not_found);
  EXPECT_EQ(g.get(bounced.id).status, JobStatus::failed);
}

TEST_P(StoreConformance, AJobsResultTtlDecidesHowLongItIsKeptOnceCompleted) {
  EngineOptions o = options();
  o.retention.queues["default"].completed_ms = 1000;
  EngineFixture g(GetParam(), o);
  JobSpec s = g.spec();
  s.result_ttl_ms = 60'000;
  s.max_attempts = 1;
  Job kept = g.submit(s);
  Job failing = g.submit(s);
  EXPECT_EQ(g.get(kept.id).result_ttl_ms, 60'000);
  Job a = g.lease_one();
  Job b = g.lease_one();
  ASSERT_TRUE(g.engine->complete(a.id, a.lease_token, "1").ok());
  ASSERT_TRUE(g.engine->fail(b.id, b.lease_token, {"x", "", true}).ok());
  EXPECT_EQ(g.get(a.id).expires_at, g.clock.now() + 60'000);
  // A result's time to live is for its result: a failed job is kept as its queue keeps them.
  EXPECT_EQ(g.get(b.id).expires_at, g.clock.now() + 7 * kDayMs);

  g.clock.advance(59'999);
  EXPECT_EQ(g.engine->tick()->purged, 0u);
  g.clock.advance(1);
  EXPECT_EQ(g.engine->tick()->purged, 1u);
  EXPECT_EQ(g.engine->get(kept.id).error().code(), ErrorCode::not_found);
}

TEST_P(StoreConformance, ATrimDropsAtMostItsLimitOldestFirst) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    f.submit();
    Job job = f.lease_one();
    ASSERT_TRUE(engine().fail(job.id, job.lease_token, {"x", "", false}).ok());
    ids.push_back(job.id);
    f.clock.advance(10);
  }
  auto first = f.store->write([](WriteGroup& g) { return g.trim_dead_letters(1, "", 2); });
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].id, ids[0]);
  EXPECT_EQ((*first)[1].id, ids[1]);
  auto rest = f.store->write([](WriteGroup& g) { return g.trim_dead_letters(1, "", 10); });
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->size(), 2u);
  EXPECT_TRUE(engine().get(ids[4]).ok()) << "the newest stays within the cap";
}

TEST_P(StoreConformance, AQueuesDeadLetterCapTrimsOnlyThatQueue) {
  EngineOptions o = options();
  o.retention.dead_letter_cap = 0;  // no cap for all queues together
  o.retention.queues["mail"].dead_letter_cap = 1;
  EngineFixture g(GetParam(), o);
  std::vector<std::string> mail, other;
  for (int i = 0; i < 3; ++i) {
    for (const char* queue : {"mail", "default"}) {
      g.submit("t", queue);
      Job job = g.lease(1, {queue}).at(0);
      ASSERT_TRUE(g.engine->fail(job.id, job.lease_token, {"x", "", false}).ok());
      (queue == std::string("mail") ? mail : other).push_back(job.id);
      g.clock.advance(10);
    }
  }
  EXPECT_EQ(g.engine->tick()->purged, 2u);
  EXPECT_EQ(g.engine->get(mail[0]).error().code(), ErrorCode::not_found);
  EXPECT_EQ(g.engine->get(mail[1]).error().code(), ErrorCode::not_found);
  EXPECT_TRUE(g.engine->get(mail[2]).ok());
  for (const auto& id : other) EXPECT_TRUE(g.engine->get(id).ok()) << id;
  EXPECT_EQ(g.engine->tick()->purged, 0u);
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
  o.retention.dead_letter_cap = 2;
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

}  // namespace jobq::testing
