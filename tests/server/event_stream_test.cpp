#include "server/live/event_stream.h"

#include <gtest/gtest.h>

namespace jobq::server {
namespace {

Job job_at(Millis updated_at, double progress = 0, JobStatus status = JobStatus::running) {
  Job j;
  j.id = "j1";
  j.status = status;
  j.progress = progress;
  j.updated_at = updated_at;
  return j;
}

struct Fixture {
  ManualClock clock{1'000'000};
  EventStream stream{
      clock, StreamFilter{.job_id = "j1"}, {.progress_interval_ms = 100, .max_pending = 5}};
  int notified = 0;
  explicit Fixture(bool with_snapshot = true) {
    stream.on_ready([this] { ++notified; });
    if (with_snapshot) stream.start_after(job_at(0));
    notified = 0;
  }
  void push(EventType type, const Job& job) {
    stream.push(type, job, event_message(to_string(type), job));
  }
};

TEST(EventStream, ProgressIsCoalescedToTheNewestAtMostEveryInterval) {
  Fixture f;
  f.push(EventType::progress, job_at(f.clock.now(), 10));
  f.push(EventType::progress, job_at(f.clock.now(), 20));
  f.push(EventType::progress, job_at(f.clock.now(), 30));
  EXPECT_EQ(f.notified, 3);  // held messages notify too, so the writer learns when they are due
  auto first = f.stream.take();
  ASSERT_EQ(first.messages.size(), 1u);
  EXPECT_NE(first.messages[0]->find("\"progress\":10"), std::string::npos);
  ASSERT_TRUE(first.due_in_ms.has_value());
  EXPECT_EQ(*first.due_in_ms, 100);
  f.clock.advance(100);
  auto second = f.stream.take();
  ASSERT_EQ(second.messages.size(), 1u);
  EXPECT_NE(second.messages[0]->find("\"progress\":30"), std::string::npos);
  EXPECT_FALSE(second.due_in_ms.has_value());
}

TEST(EventStream, ALaterEventDropsAHeldProgressAndEndsAJobStream) {
  Fixture f;
  f.push(EventType::progress, job_at(f.clock.now(), 10));
  f.push(EventType::progress, job_at(f.clock.now(), 20));
  f.push(EventType::completed, job_at(f.clock.now(), 100, JobStatus::completed));
  auto taken = f.stream.take();
  ASSERT_EQ(taken.messages.size(), 2u);
  EXPECT_NE(taken.messages[1]->find("\"event\":\"completed\""), std::string::npos);
  EXPECT_EQ(taken.end, EventStream::End::done);
  EXPECT_FALSE(taken.due_in_ms.has_value());
}

TEST(EventStream, EventsTheSnapshotAlreadyShowsAreDropped) {
  Fixture f(false);
  Job snapshot = job_at(f.clock.now(), 0, JobStatus::queued);
  f.stream.start_after(snapshot);
  f.push(EventType::submitted, job_at(f.clock.now() - 1, 0, JobStatus::queued));  // older
  f.push(EventType::submitted, snapshot);  // the same state, in the same millisecond
  f.push(EventType::cancelled, job_at(f.clock.now(), 0, JobStatus::cancelled));  // newer state
  auto taken = f.stream.take();
  ASSERT_EQ(taken.messages.size(), 1u);
  EXPECT_NE(taken.messages[0]->find("\"event\":\"cancelled\""), std::string::npos);
}

TEST(EventStream, EventsBeforeTheSnapshotIsReadWaitForIt) {
  Fixture f(false);
  Job snapshot = job_at(f.clock.now(), 0, JobStatus::queued);
  f.push(EventType::submitted, snapshot);  // published before the snapshot was read
  EXPECT_TRUE(f.stream.take().messages.empty());
  f.stream.start_after(snapshot);
  EXPECT_TRUE(f.stream.take().messages.empty());  // the snapshot shows it already
}

TEST(EventStream, AWatcherTooFarBehindIsDropped) {
  Fixture f;
  for (int i = 0; i < 6; ++i) {
    f.push(EventType::updated, job_at(f.clock.now() + i));
  }
  auto taken = f.stream.take();
  EXPECT_TRUE(taken.messages.empty());
  EXPECT_EQ(taken.end, EventStream::End::overflow);
}

TEST(EventStream, FinishSendsWhatIsHeldAndSaysShutdown) {
  Fixture f;
  f.push(EventType::progress, job_at(f.clock.now(), 10));
  f.push(EventType::progress, job_at(f.clock.now(), 20));
  f.stream.finish();
  auto taken = f.stream.take();
  EXPECT_EQ(taken.messages.size(), 2u);
  EXPECT_EQ(taken.end, EventStream::End::shutdown);
}

TEST(StreamFilter, MatchesQueueTypeAndEventLists) {
  StreamFilter filter{.queues = {"mail"}, .types = {}, .events = {"completed", "failed"}};
  Job j;
  j.queue = "mail";
  auto job = std::make_shared<const Job>(j);
  EXPECT_TRUE(filter.matches({EventType::completed, job}));
  EXPECT_FALSE(filter.matches({EventType::progress, job}));
  j.queue = "other";
  EXPECT_FALSE(filter.matches({EventType::completed, std::make_shared<const Job>(j)}));
}

}  // namespace
}  // namespace jobq::server
