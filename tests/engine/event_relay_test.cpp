// Two engines on one redis store, as two jobqd nodes: each one's events reach the other's bus
// (marked remote, and never echoed back), and a job one makes ready serves a lease waiting on the
// other at once.
#include <gtest/gtest.h>

#include <future>

#include "engine/event_relay.h"
#include "support/engine_fixture.h"
#include "support/eventually.h"

namespace jobq::testing {
namespace {

class TwoNodes : public ::testing::Test {
 protected:
  static StoreOptions shared_prefix() {
    StoreOptions o;
    o.redis_prefix = RedisServer::shared().fresh_prefix();
    return o;
  }
  static std::vector<Event> of(const std::vector<Event>& events, const std::string& id) {
    std::vector<Event> out;
    for (const Event& e : events)
      if (e.job->id == id) out.push_back(e);
    return out;
  }

  StoreOptions options_ = shared_prefix();
  EngineFixture a{"redis", {}, options_};
  EngineFixture b{"redis", {}, options_};
};

TEST_F(TwoNodes, EachNodesEventsReachTheOtherMarkedRemoteAndAreNotEchoed) {
  Job job = a.submit("email");
  ASSERT_TRUE(eventually([&] { return !of(b.events(), job.id).empty(); }));
  Event heard = of(b.events(), job.id).front();
  EXPECT_EQ(heard.type, EventType::submitted);
  EXPECT_TRUE(heard.remote);
  EXPECT_EQ(heard.job->type, "email");
  EXPECT_EQ(heard.job->status, JobStatus::queued);

  Job leased = b.lease_one();
  ASSERT_EQ(leased.id, job.id);
  ASSERT_TRUE(b.engine->complete(job.id, leased.lease_token, "{\"ok\":true}").ok());
  ASSERT_TRUE(eventually([&] { return of(a.events(), job.id).size() == 3; }));
  auto on_a = of(a.events(), job.id);
  EXPECT_FALSE(on_a[0].remote);  // its own submit, once
  EXPECT_EQ(on_a[1].type, EventType::started);
  EXPECT_TRUE(on_a[1].remote);
  EXPECT_EQ(on_a[2].type, EventType::completed);
  EXPECT_EQ(on_a[2].job->result, "{\"ok\":true}");
  EXPECT_TRUE(on_a[2].job->lease_token.empty());
  EXPECT_EQ(of(b.events(), job.id).size(), 3u);  // submitted (heard), started, completed
}

TEST_F(TwoNodes, ASubmitOnOneServesALeaseWaitingOnTheOther) {
  LeaseRequest request;
  request.worker_id = "w-b";
  std::promise<Result<std::vector<Job>>> answer;
  auto answered = answer.get_future();
  b.engine->lease_async(request,
                        [&](Result<std::vector<Job>> r) { answer.set_value(std::move(r)); });
  // Its own lease found nothing: it waits.
  ASSERT_TRUE(eventually([&] { return b.engine->waiting_leases() == 1; }));
  Job job = a.submit();
  ASSERT_EQ(answered.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  auto jobs = answered.get();
  ASSERT_TRUE(jobs.ok()) << jobs.error().to_string();
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ((*jobs)[0].id, job.id);
  EXPECT_EQ((*jobs)[0].worker_id, "w-b");
}

TEST_F(TwoNodes, OneNodeAtATimeRunsTheSweepsAndAnotherTakesOverWhenItCloses) {
  JobSpec later = a.spec();
  later.delay_ms = 1000;
  Job job = a.submit(later);
  a.clock.advance(1000);
  b.clock.advance(1000);
  auto first = a.engine->tick();
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  EXPECT_FALSE(first->skipped);
  EXPECT_EQ(first->promoted, 1u);
  auto second = b.engine->tick();
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->skipped) << "two nodes swept at once";
  EXPECT_TRUE(a.engine->tick()->skipped == false) << "the holder renews its turn";

  a.engine.reset();
  a.store.reset();  // a node that stops gives its turn back
  auto third = b.engine->tick();
  ASSERT_TRUE(third.ok());
  EXPECT_FALSE(third->skipped);
  EXPECT_EQ(b.get(job.id).status, JobStatus::queued);
}

TEST(EventRelayMessage, AnEventComesBackAsItWentAndAnythingElseIsNoEvent) {
  Job job;
  job.id = "0190a0b0-0000-7000-8000-000000000001";
  job.type = "report";
  job.status = JobStatus::running;
  job.progress = 42.5;
  job.stage = "rendering";
  job.payload = "{\"user\":7}";
  job.lease_token = "secret";
  auto event = EventRelay::event_from(
      EventRelay::message({EventType::progress, std::make_shared<const Job>(job)}));
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->type, EventType::progress);
  EXPECT_TRUE(event->remote);
  EXPECT_EQ(event->job->id, job.id);
  EXPECT_EQ(event->job->progress, 42.5);
  EXPECT_EQ(event->job->stage, "rendering");
  EXPECT_EQ(event->job->payload, "{\"user\":7}");
  EXPECT_EQ(event->job->lease_token, "") << "a token never leaves its node";
  for (const char* bad : {"", "nope", "{}", "{\"type\":\"exploded\",\"job\":{}}", "[1,2]"})
    EXPECT_FALSE(EventRelay::event_from(bad).has_value()) << bad;
}

}  // namespace
}  // namespace jobq::testing
