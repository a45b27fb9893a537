// The registry over its own book and over the redis store's (as several nodes share it): one set
// of tests for both.
#include "server/live/worker_registry.h"

#include <gtest/gtest.h>

#include "support/engine_fixture.h"

namespace jobq::server {
namespace {

class WorkerRegistryTest : public ::testing::TestWithParam<std::string> {
 protected:
  WorkerRegistry make(std::int64_t lost_after_ms = 30'000,
                      std::int64_t forget_after_ms = 3'600'000) {
    return WorkerRegistry(clock, lost_after_ms, forget_after_ms,
                          store ? store.store->shared_workers() : nullptr);
  }
  struct Shared {
    explicit Shared(const std::string& backend)
        : fixture(backend == "redis" ? std::make_unique<testing::EngineFixture>("redis") : nullptr),
          store(fixture ? fixture->store.get() : nullptr) {}
    explicit operator bool() const { return store != nullptr; }
    std::unique_ptr<testing::EngineFixture> fixture;
    Store* store;
  };
  ManualClock clock;
  Shared store{GetParam()};
};

INSTANTIATE_TEST_SUITE_P(Books, WorkerRegistryTest, ::testing::Values("own", "redis"),
                         [](const auto& info) { return info.param; });

WorkerBeat beat_of(std::string id, int concurrency = 4) {
  WorkerBeat b;
  b.id = std::move(id);
  b.concurrency = concurrency;
  b.types = {"email"};
  return b;
}

TEST_P(WorkerRegistryTest, ABeatRegistersTheWorkerAndAnswersRun) {
  WorkerRegistry registry = make();
  WorkerBeat b = beat_of("w1");
  b.queues = {"mail", "bulk"};
  b.host = "box";
  b.pid = 4242;
  WorkerRecord w = *registry.beat(b);
  EXPECT_EQ(w.command, WorkerCommand::run);
  EXPECT_EQ(w.concurrency, 4);
  EXPECT_EQ(w.state(), "active");
  ASSERT_EQ(registry.list()->size(), 1u);
  WorkerRecord listed = registry.list()->front();
  EXPECT_EQ(listed.beat.id, "w1");
  EXPECT_EQ(listed.beat.types, std::vector<std::string>{"email"});
  EXPECT_EQ(listed.beat.queues, (std::vector<std::string>{"mail", "bulk"}));
  EXPECT_EQ(listed.beat.host, "box");
  EXPECT_EQ(listed.beat.pid, 4242);
  EXPECT_EQ(listed.first_seen_at, clock.now());
  EXPECT_EQ(*registry.alive(), 1u);
}

TEST_P(WorkerRegistryTest, OperatorsScaleQuietAndStopAndTheNextBeatCarriesIt) {
  WorkerRegistry registry = make();
  ASSERT_TRUE(registry.beat(beat_of("w1")).ok());
  ASSERT_TRUE(registry.scale("w1", 9).ok());
  EXPECT_EQ(registry.beat(beat_of("w1", 4))->concurrency, 9);
  ASSERT_TRUE(registry.command("w1", WorkerCommand::quiet).ok());
  EXPECT_EQ(registry.beat(beat_of("w1"))->command, WorkerCommand::quiet);
  ASSERT_TRUE(registry.command("w1", WorkerCommand::stop).ok());
  ASSERT_TRUE(registry.command("w1", WorkerCommand::quiet).ok());
  WorkerRecord w = *registry.beat(beat_of("w1"));
  EXPECT_EQ(w.command, WorkerCommand::stop);  // a stop is not undone by a later quiet
  EXPECT_EQ(w.state(), "stopping");
  EXPECT_EQ(registry.scale("nobody", 2).error().code(), ErrorCode::not_found);
  EXPECT_EQ(registry.command("nobody", WorkerCommand::stop).error().code(), ErrorCode::not_found);
}

TEST_P(WorkerRegistryTest, AWorkerWhoseBeatsStopIsLostThenForgotten) {
  WorkerRegistry registry = make(30'000, 3'600'000);
  ASSERT_TRUE(registry.beat(beat_of("w1")).ok());
  clock.advance(30'000);
  EXPECT_EQ(registry.list()->front().state(), "active");
  clock.advance(1);
  EXPECT_EQ(registry.list()->front().state(), "lost");
  EXPECT_EQ(*registry.alive(), 0u);
  ASSERT_TRUE(registry.beat(beat_of("w1")).ok());
  EXPECT_EQ(registry.list()->front().state(), "active");
  clock.advance(3'600'001);
  EXPECT_TRUE(registry.list()->empty());
}

// Two nodes' registries over one store: what one is told, the other knows.
TEST(WorkerRegistryShared, TwoNodesSeeOneWorkerAndOneOperatorsOrders) {
  StoreOptions shared;
  shared.redis_prefix = testing::RedisServer::shared().fresh_prefix();
  testing::EngineFixture a("redis", {}, shared), b("redis", {}, shared);
  WorkerRegistry on_a(a.clock, 30'000, 3'600'000, a.store->shared_workers());
  WorkerRegistry on_b(b.clock, 30'000, 3'600'000, b.store->shared_workers());
  ASSERT_TRUE(on_b.beat(beat_of("w1")).ok());
  ASSERT_EQ(on_a.list()->size(), 1u);
  ASSERT_TRUE(on_a.command("w1", WorkerCommand::quiet).ok());
  EXPECT_EQ(on_b.beat(beat_of("w1"))->command, WorkerCommand::quiet);
}

}  // namespace
}  // namespace jobq::server
