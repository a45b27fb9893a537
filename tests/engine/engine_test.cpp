// Engine behaviour that does not depend on the backend: events carry no lease token, the sweeper
// ticks on its own.
#include <gtest/gtest.h>

#include "jobq/sweeper.h"
#include "support/engine_fixture.h"

namespace jobq {
namespace {

using testing::EngineFixture;

TEST(Engine, EventsNeverCarryTheLeaseToken) {
  EngineFixture f("memory");
  f.submit();
  Job job = f.lease_one();
  ASSERT_FALSE(job.lease_token.empty());
  ASSERT_TRUE(f.engine->heartbeat(job.id, job.lease_token, {.progress = 50}).ok());
  std::vector<EventType> seen;
  for (const Event& e : f.events()) {
    seen.push_back(e.type);
    EXPECT_TRUE(e.job->lease_token.empty()) << to_string(e.type);
  }
  // The events of a lease and of a report on it were there to look at, or the loop proved nothing.
  EXPECT_EQ(seen, (std::vector<EventType>{EventType::submitted, EventType::started,
                                          EventType::progress}));
}

TEST(Engine, SweeperTicksWithoutBeingAsked) {
  EngineFixture f("memory");
  JobSpec s = f.spec();
  s.delay_ms = 1000;
  Job job = f.submit(s);
  f.clock.advance(1000);
  Sweeper sweeper(*f.engine, std::chrono::milliseconds(5));
  auto leased = f.engine->lease_wait({.worker_id = "w"}, 10'000);
  ASSERT_TRUE(leased.ok());
  ASSERT_EQ(leased->size(), 1u);
  EXPECT_EQ((*leased)[0].id, job.id);
}

TEST(Engine, LeaseRequestIsValidated) {
  EngineFixture f("memory");
  LeaseRequest r;
  EXPECT_EQ(f.engine->lease(r).error().field(), "worker_id");
  r.worker_id = "w";
  r.queues.clear();
  EXPECT_EQ(f.engine->lease(r).error().field(), "queues");
  r.queues = {"default"};
  r.max_jobs = 0;
  EXPECT_EQ(f.engine->lease(r).error().field(), "max_jobs");
  EXPECT_EQ(f.engine->validate_lease(r).field(), "max_jobs");
  r.max_jobs = 1000;
  EXPECT_TRUE(f.engine->validate_lease(r).ok());
  r.max_jobs = 1001;
  EXPECT_EQ(f.engine->validate_lease(r).field(), "max_jobs");
}

TEST(Engine, TheLeaseLimitIsTheEnginesOption) {
  EngineOptions options;
  options.max_lease_jobs = 5;
  EngineFixture f("memory", options);
  LeaseRequest r;
  r.worker_id = "w";
  r.max_jobs = 5;
  EXPECT_TRUE(f.engine->validate_lease(r).ok());
  r.max_jobs = 6;
  auto refused = f.engine->lease(r);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().field(), "max_jobs");
  EXPECT_EQ(refused.error().message(), "must be between 1 and 5");
}

// The engine is the one validator of a spec: a single submit names the field, a batch names the
// spec and the field, and neither writes anything.
TEST(Engine, SubmitChecksEverySpecAndNamesTheField) {
  EngineOptions options;
  options.max_payload_bytes = 10;
  EngineFixture f("memory", options);
  JobSpec bad = f.spec();
  bad.priority = 101;
  auto one = f.engine->submit(bad);
  ASSERT_FALSE(one.ok());
  EXPECT_EQ(one.error().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(one.error().field(), "priority");

  JobSpec big = f.spec();
  big.payload = "\"" + std::string(20, 'x') + "\"";
  EXPECT_EQ(f.engine->submit(big).error().code(), ErrorCode::payload_too_large);
  JobSpec not_json = f.spec();
  not_json.payload = "{";
  EXPECT_EQ(f.engine->submit(not_json).error().field(), "payload");

  auto batch = f.engine->submit_batch({f.spec(), bad});
  ASSERT_FALSE(batch.ok());
  EXPECT_EQ(batch.error().field(), "jobs[1].priority");
  EXPECT_EQ(f.engine->submit_batch({}).error().field(), "jobs");
  auto page = f.engine->list({}, {});
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->jobs.empty()) << "a refused submit writes nothing";
}

TEST(Engine, HeartbeatRejectsProgressOutOfRange) {
  EngineFixture f("memory");
  f.submit();
  Job job = f.lease_one();
  Progress p;
  p.progress = 101;
  EXPECT_EQ(f.engine->heartbeat(job.id, job.lease_token, p).error().field(), "progress");
  p.progress = 50;
  p.total_items = -1;
  EXPECT_EQ(f.engine->heartbeat(job.id, job.lease_token, p).error().field(), "total_items");
  EXPECT_DOUBLE_EQ(f.get(job.id).progress, 0);
}

TEST(Engine, CompleteRejectsAResultThatIsNotJson) {
  EngineFixture f("memory");
  f.submit();
  Job job = f.lease_one();
  EXPECT_EQ(f.engine->complete(job.id, job.lease_token, "{oops").error().field(), "result");
  EXPECT_EQ(f.get(job.id).status, JobStatus::running);
}

}  // namespace
}  // namespace jobq
