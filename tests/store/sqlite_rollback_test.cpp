// A sqlite write group that fails is rolled back whole: every caller in it gets `unavailable`,
// nothing it wrote is kept, and what the store keeps in memory (the ready index, has_ready)
// matches the table again. Called on the Store directly, with the writer held so that the works
// posted meanwhile form one group.
#include <gtest/gtest.h>

#include <future>
#include <optional>
#include <stdexcept>
#include <thread>

#include "core/ids.h"
#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

namespace jobq {
namespace {

Job new_job(Millis now) {
  Job j;
  j.id = new_job_id(now);
  j.type = "t";
  j.queue = "default";
  j.payload = "null";
  j.run_at = j.created_at = j.updated_at = now;
  return j;
}

LeaseRequest any_job() {
  LeaseRequest r;
  r.worker_id = "w";
  return r;
}

// Holds the writer inside a group of its own until released, so that the works posted
// meanwhile are committed together, as the next group.
class HeldWriter {
 public:
  explicit HeldWriter(Store& store)
      : holder_([this, &store] {
          store.write_async(
              [this](WriteGroup&) {
                held_.set_value();
                release_.get_future().wait();
              },
              [](const Status&) {});
        }) {
    held_.get_future().wait();
  }
  ~HeldWriter() {
    if (holder_.joinable()) release();
  }
  void release() {
    release_.set_value();
    holder_.join();
  }

 private:
  std::promise<void> held_;
  std::promise<void> release_;
  std::thread holder_;
};

// A work posted to the held writer and what its write answered.
struct Posted {
  std::promise<Status> answer;
  std::future<Status> ended = answer.get_future();
  Status wait() {
    EXPECT_EQ(ended.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    return ended.get();
  }
};

void post(Store& store, Posted& p, Store::WriteWork work) {
  store.write_async(std::move(work), [&p](const Status& s) { p.answer.set_value(s); });
}

class SqliteRollback : public ::testing::Test {
 protected:
  testing::TempDir dir;
  SystemClock clock;
  SqliteStore store{dir.file("jobq.db"), clock.now(), {}};
};

TEST_F(SqliteRollback, AWorkThatThrowsRollsBackItsWholeGroupAndEveryCallerGetsUnavailable) {
  Job first = new_job(clock.now());
  Job second = new_job(clock.now());
  Posted a, failing, b;
  HeldWriter held(store);
  post(store, a, [&](WriteGroup& g) { ASSERT_TRUE(g.submit({first}).ok()); });
  post(store, failing, [](WriteGroup&) { throw std::runtime_error("the disk is on fire"); });
  post(store, b, [&](WriteGroup& g) { ASSERT_TRUE(g.submit({second}).ok()); });
  held.release();

  for (Posted* p : {&a, &failing, &b}) {
    Status s = p->wait();
    EXPECT_EQ(s.code(), ErrorCode::unavailable) << s.to_string();
  }
  for (const Job& job : {first, second}) {
    auto stored = store.get(job.id);
    ASSERT_TRUE(stored.ok()) << stored.error().to_string();
    EXPECT_FALSE(stored->has_value()) << "a job of the rolled-back group was kept";
  }
  EXPECT_EQ(store.ready_count(), 0u);
  EXPECT_FALSE(store.has_ready(any_job(), 0));

  // The store writes on after it.
  Job later = new_job(clock.now());
  auto submitted = store.write([&](WriteGroup& g) { return g.submit({later}); });
  ASSERT_TRUE(submitted.ok()) << submitted.error().to_string();
  EXPECT_TRUE(store.has_ready(any_job(), 0));
  EXPECT_EQ(store.ready_count(), 1u);
}

TEST_F(SqliteRollback, ALeaseInARolledBackGroupLeavesItsJobReady) {
  Job job = new_job(clock.now());
  ASSERT_TRUE(store.write([&](WriteGroup& g) { return g.submit({job}); }).ok());
  std::optional<Result<std::vector<Job>>> leased;
  Posted lease, failing;
  HeldWriter held(store);
  post(store, lease, [&](WriteGroup& g) { leased = g.lease(any_job(), clock.now()); });
  post(store, failing, [](WriteGroup&) { throw std::runtime_error("out of space"); });
  held.release();

  EXPECT_EQ(lease.wait().code(), ErrorCode::unavailable);
  EXPECT_EQ(failing.wait().code(), ErrorCode::unavailable);
  // Inside the group the lease took the job; the rollback gave it back.
  ASSERT_TRUE(leased && leased->ok());
  ASSERT_EQ((*leased)->size(), 1u);
  auto stored = store.get(job.id);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->status, JobStatus::queued);
  EXPECT_EQ((*stored)->attempt, 0);
  EXPECT_TRUE(store.has_ready(any_job(), 0));
  EXPECT_EQ(store.ready_count(), 1u);
  auto again = store.write([&](WriteGroup& g) { return g.lease(any_job(), clock.now()); });
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].id, job.id);
}

}  // namespace
}  // namespace jobq
