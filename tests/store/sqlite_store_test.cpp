// What only the sqlite store promises: the record survives a reopen, the ready index is rebuilt
// from it, leases get a fresh term after a restart, and concurrent writes share commits.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "store/sqlite/sqlite_store.h"
#include "support/engine_fixture.h"
#include "support/eventually.h"

namespace jobq {
namespace {

using testing::EngineFixture;

TEST(SqliteStore, ReopenKeepsEveryJobAndRebuildsPriorityOrder) {
  EngineFixture f("sqlite");
  Job low = f.submit("t", "default", 10);
  Job high = f.submit("t", "default", 90);
  Job mid = f.submit("t", "default", 50);
  JobSpec later = f.spec();
  later.delay_ms = 1000;
  Job scheduled = f.submit(later);
  f.open();
  EXPECT_EQ(f.get(scheduled.id).status, JobStatus::scheduled);
  auto jobs = f.lease(10);
  ASSERT_EQ(jobs.size(), 3u);
  EXPECT_EQ(jobs[0].id, high.id);
  EXPECT_EQ(jobs[1].id, mid.id);
  EXPECT_EQ(jobs[2].id, low.id);
}

TEST(SqliteStore, PausedQueuesStayPausedAcrossAReopen) {
  EngineFixture f("sqlite");
  Job job = f.submit("t", "reports");
  ASSERT_TRUE(f.engine->pause_queue("reports").ok());
  f.open();
  EXPECT_EQ(*f.engine->paused_queues(), std::vector<std::string>{"reports"});
  EXPECT_TRUE(f.lease(1, {"reports"}).empty());
  ASSERT_TRUE(f.engine->resume_queue("reports").ok());
  f.open();
  auto jobs = f.lease(1, {"reports"});
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].id, job.id);
}

TEST(SqliteStore, RunningJobsGetAFreshLeaseFromTheRestartAndKeepTheirToken) {
  StoreOptions so;
  so.restart_lease_ms = 20'000;
  EngineFixture f("sqlite", {}, so);
  f.submit();
  Job job = f.lease_one("w1", 5000);
  f.clock.advance(4000);
  f.open();  // the restart
  EXPECT_EQ(f.get(job.id).lease_expires_at, f.clock.now() + 20'000);
  f.clock.advance(6000);  // past the original lease
  ASSERT_EQ(f.engine->tick()->expired, 0u);
  auto done = f.engine->complete(job.id, job.lease_token, "1");
  ASSERT_TRUE(done.ok()) << done.error().to_string();
  EXPECT_EQ(done->status, JobStatus::completed);
}

TEST(SqliteStore, ConcurrentWritersShareGroupCommits) {
  testing::TempDir dir;
  SystemClock clock;
  SqliteStore store(dir.file("jobq.db"), clock.now(), {});
  EventBus bus;
  Engine engine(store, clock, bus);
  constexpr int kThreads = 8, kEach = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        JobSpec s;
        s.type = "t";
        ASSERT_TRUE(engine.submit(s).ok());
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(store.ready_count(), std::size_t(kThreads * kEach));
  // Every submit was answered after its own commit, yet the commits were fewer than the submits.
  EXPECT_LT(store.commits(), std::uint64_t(kThreads * kEach));
}

// The asynchronous path: nothing waits, and the writes posted while a commit is under way all
// land in the next one; each is answered after it, with its job already readable.
// One write in flight pays no hop to the writer thread and back: it commits on its caller's.
TEST(SqliteStore, AWritePostedWhileNothingCommitsIsCommittedOnTheCallersThread) {
  testing::TempDir dir;
  SystemClock clock;
  SqliteStore store(dir.file("jobq.db"), clock.now(), {});
  std::uint64_t before = store.commits();
  std::thread::id worked, answered;
  Status status = Error::unavailable("not answered");
  store.write_async([&](WriteGroup&) { worked = std::this_thread::get_id(); },
                    [&](const Status& s) {
                      answered = std::this_thread::get_id();
                      status = s;
                    });
  EXPECT_TRUE(status.ok()) << status.to_string();  // answered before write_async returned
  EXPECT_EQ(worked, std::this_thread::get_id());
  EXPECT_EQ(answered, std::this_thread::get_id());
  EXPECT_EQ(store.commits() - before, 1u);
}

TEST(SqliteStore, AsyncWritesPostedDuringACommitShareTheNext) {
  testing::TempDir dir;
  SystemClock clock;
  SqliteStore store(dir.file("jobq.db"), clock.now(), {});
  EventBus bus;
  Engine engine(store, clock, bus);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> blocking;
  // Posted while nothing commits, a write is committed on its caller's thread: this one holds a
  // thread of its own inside a group.
  std::thread holder([&] {
    store.write_async(
        [&](WriteGroup&) {
          blocking.set_value();
          released.wait();
        },
        [](const Status&) {});
  });
  blocking.get_future().wait();
  std::uint64_t before = store.commits();

  constexpr int kSubmits = 100;
  std::mutex m;
  std::vector<Result<SubmitOutcome>> answers;
  for (int i = 0; i < kSubmits; ++i) {
    JobSpec s;
    s.type = "t";
    engine.submit_async(s, [&](Result<SubmitOutcome> r) {
      if (r) EXPECT_EQ((*store.get(r->job.id))->id, r->job.id);  // durable when answered
      std::lock_guard lock(m);
      answers.push_back(std::move(r));
    });
  }
  {
    std::lock_guard lock(m);
    EXPECT_TRUE(answers.empty());  // posted, not waited for
  }
  release.set_value();
  holder.join();
  ASSERT_TRUE(testing::eventually([&] {
    std::lock_guard lock(m);
    return answers.size() == kSubmits;
  }));
  for (const auto& r : answers) EXPECT_TRUE(r.ok());
  EXPECT_EQ(store.commits() - before, 2u);  // the blocking group, then all the submits
  EXPECT_EQ(store.ready_count(), std::size_t(kSubmits));

  // Under load (that group had company) the next write goes to the writer thread; a group of
  // one with nothing behind it makes the one after commit on its caller's thread again.
  auto answered_on = [&] {
    std::promise<std::thread::id> on;
    store.write_async([](WriteGroup&) {},
                      [&](const Status&) { on.set_value(std::this_thread::get_id()); });
    return on.get_future().get();
  };
  EXPECT_NE(answered_on(), std::this_thread::get_id());
  // (The first may still find the writer finishing the group before: then it goes there too.)
  EXPECT_TRUE(testing::eventually([&] { return answered_on() == std::this_thread::get_id(); }));
}

// A lease already waiting is served inside the submit's own write: one commit (one fsync with
// sync=full) between a producer's submit and the worker holding the job, not two.
// An engine over a sqlite store on the real clock, for the asynchronous paths.
struct RealClockEngine {
  testing::TempDir dir;
  SystemClock clock;
  SqliteStore store{dir.file("jobq.db"), clock.now(), {}};
  EventBus bus;
  Engine engine{store, clock, bus};
};

TEST(SqliteStore, ASubmitAndItsHandOverToAWaitingLeaseShareOneCommit) {
  RealClockEngine rig;
  SqliteStore& store = rig.store;
  Engine& engine = rig.engine;
  LeaseRequest request;
  request.worker_id = "w";
  request.types = {"wanted"};
  std::promise<Result<std::vector<Job>>> got;
  engine.lease_async(request, [&](Result<std::vector<Job>> r) { got.set_value(std::move(r)); });
  std::uint64_t before = store.commits();
  JobSpec spec;
  spec.type = "wanted";
  auto submitted = engine.submit(spec);
  ASSERT_TRUE(submitted.ok());
  auto future = got.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  auto leased = future.get();
  ASSERT_TRUE(leased.ok());
  ASSERT_EQ(leased->size(), 1u);
  EXPECT_EQ((*leased)[0].id, submitted->job.id);
  EXPECT_EQ(store.commits() - before, 1u);
  auto stored = store.get(submitted->job.id);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->status, JobStatus::running);
  EXPECT_EQ((*stored)->lease_token, (*leased)[0].lease_token);
  EXPECT_EQ(engine.waiting_leases(), 0u);
}

// Two waiters and one job: the first gets it in the submit's commit, the second waits on.
TEST(SqliteStore, AWaiterTheHandOverLeavesWithoutAJobWaitsOn) {
  RealClockEngine rig;
  SqliteStore& store = rig.store;
  Engine& engine = rig.engine;
  LeaseRequest request;
  request.worker_id = "w";
  std::promise<Result<std::vector<Job>>> first, second;
  engine.lease_async(request, [&](Result<std::vector<Job>> r) { first.set_value(std::move(r)); });
  engine.lease_async(request, [&](Result<std::vector<Job>> r) { second.set_value(std::move(r)); });
  JobSpec spec;
  spec.type = "t";
  auto one = engine.submit(spec);
  ASSERT_TRUE(one.ok());
  auto got_first = first.get_future();
  ASSERT_EQ(got_first.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(got_first.get()->at(0).id, one->job.id);
  auto got_second = second.get_future();
  ASSERT_TRUE(testing::eventually([&] { return engine.waiting_leases() == 1; }));
  EXPECT_EQ(got_second.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
  auto two = engine.submit(spec);
  ASSERT_TRUE(two.ok());
  ASSERT_EQ(got_second.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(got_second.get()->at(0).id, two->job.id);
}

TEST(SqliteStore, SyncNormalKeepsJobsAcrossAReopen) {
  StoreOptions so;
  so.sync = SyncMode::normal;
  EngineFixture f("sqlite", {}, so);
  Job job = f.submit();
  f.open();
  EXPECT_EQ(f.get(job.id).status, JobStatus::queued);
}

// A file written before jobs had a result_ttl_ms of their own and before schedules (schema 2)
// opens and reads as before.
TEST(SqliteStore, AVersionTwoFileIsUpgradedInPlace) {
  EngineFixture f("sqlite");
  f.submit();
  Job job = f.lease_one();
  ASSERT_TRUE(f.engine->complete(job.id, job.lease_token, "1").ok());
  Millis expires = f.get(job.id).expires_at;
  f.engine.reset();
  f.store.reset();
  {
    sqlite3* db;
    ASSERT_EQ(sqlite3_open(f.dir.file("jobq.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "DROP TABLE deliveries; DROP TABLE limits; DROP TABLE quotas; DROP TABLE schedules; DROP INDEX jobs_expiring; "
                           "ALTER TABLE jobs DROP COLUMN result_ttl_ms; ALTER TABLE jobs DROP COLUMN tier; "
                           "PRAGMA user_version = 2",
                           nullptr, nullptr, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
  f.open();
  Job upgraded = f.get(job.id);
  EXPECT_EQ(upgraded.status, JobStatus::completed);
  EXPECT_EQ(upgraded.result_ttl_ms, 0);
  EXPECT_EQ(upgraded.expires_at, expires);
  f.clock.advance(expires - f.clock.now());
  EXPECT_EQ(f.engine->tick()->purged, 1u);
}

TEST(SqliteStore, RefusesADatabaseFromANewerVersion) {
  testing::TempDir dir;
  std::string path = dir.file("jobq.db");
  {
    sqlite3* db;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  ManualClock clock;
  auto store = open_store("sqlite://" + path, clock);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code(), ErrorCode::unavailable);
  EXPECT_NE(store.error().message().find("schema version 99"), std::string::npos);
}

TEST(SqliteStore, UnknownStoreUrlIsInvalid) {
  ManualClock clock;
  auto store = open_store("postgres://x", clock);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().field(), "store");
}

}  // namespace
}  // namespace jobq
