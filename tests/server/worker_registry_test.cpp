#include "server/live/worker_registry.h"

#include <gtest/gtest.h>

namespace jobq::server {
namespace {

WorkerBeat beat_of(std::string id, int concurrency = 4) {
  WorkerBeat b;
  b.id = std::move(id);
  b.concurrency = concurrency;
  b.types = {"email"};
  return b;
}

TEST(WorkerRegistry, ABeatRegistersTheWorkerAndAnswersRun) {
  ManualClock clock;
  WorkerRegistry registry(clock);
  WorkerRecord w = registry.beat(beat_of("w1"));
  EXPECT_EQ(w.command, WorkerCommand::run);
  EXPECT_EQ(w.concurrency, 4);
  EXPECT_EQ(w.state(), "active");
  ASSERT_EQ(registry.list().size(), 1u);
  EXPECT_EQ(registry.alive(), 1u);
}

TEST(WorkerRegistry, OperatorsScaleQuietAndStopAndTheNextBeatCarriesIt) {
  ManualClock clock;
  WorkerRegistry registry(clock);
  registry.beat(beat_of("w1"));
  ASSERT_TRUE(registry.scale("w1", 9).ok());
  EXPECT_EQ(registry.beat(beat_of("w1", 4)).concurrency, 9);
  ASSERT_TRUE(registry.command("w1", WorkerCommand::quiet).ok());
  EXPECT_EQ(registry.beat(beat_of("w1")).command, WorkerCommand::quiet);
  ASSERT_TRUE(registry.command("w1", WorkerCommand::stop).ok());
  ASSERT_TRUE(registry.command("w1", WorkerCommand::quiet).ok());
  WorkerRecord w = registry.beat(beat_of("w1"));
  EXPECT_EQ(w.command, WorkerCommand::stop);  // a stop is not undone by a later quiet
  EXPECT_EQ(w.state(), "stopping");
  EXPECT_EQ(registry.scale("nobody", 2).error().code(), ErrorCode::not_found);
}

TEST(WorkerRegistry, AWorkerWhoseBeatsStopIsLostThenForgotten) {
  ManualClock clock;
  WorkerRegistry registry(clock, 30'000, 3'600'000);
  registry.beat(beat_of("w1"));
  clock.advance(30'000);
  EXPECT_EQ(registry.list().front().state(), "active");
  clock.advance(1);
  EXPECT_EQ(registry.list().front().state(), "lost");
  EXPECT_EQ(registry.alive(), 0u);
  registry.beat(beat_of("w1"));
  EXPECT_EQ(registry.list().front().state(), "active");
  clock.advance(3'600'001);
  EXPECT_TRUE(registry.list().empty());
}

}  // namespace
}  // namespace jobq::server
