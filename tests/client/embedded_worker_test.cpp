// Embedded jobq: the same Worker on an Engine in this process, no server, on the memory store and
// on a sqlite file. Time the engine reads comes from the fixture's manual clock.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>

#include <signal.h>
#include <unistd.h>

#include "jobq/worker.h"
#include "support/engine_fixture.h"
#include "support/eventually.h"

namespace jobq {
namespace {

using namespace std::chrono_literals;
using testing::EngineFixture;
using testing::eventually;

class EmbeddedWorker : public ::testing::TestWithParam<std::string> {
 protected:
  EmbeddedWorker() : f(GetParam()), source(engine_job_source(*f.engine)) {}

  WorkerOptions options(int concurrency = 1) {
    WorkerOptions o;
    o.id = "embedded";
    o.concurrency = concurrency;
    o.lease_ms = 600'000;  // the manual clock is advanced in big steps; leases must outlast them
    o.lease_wait = 2s;
    o.heartbeat_interval = 50ms;
    o.progress_interval = 20ms;
    o.beat_interval = 0ms;
    o.grace = 5s;
    return o;
  }

  bool reaches(const std::string& id, JobStatus status) {
    return eventually([&] { return f.get(id).status == status; });
  }

  EngineFixture f;
  std::unique_ptr<JobSource> source;
};

TEST_P(EmbeddedWorker, RunsJobsWithProgressAndResults) {
  Worker worker(*source, options(3));
  worker.handle("square", [](JobContext& job) {
    int n = std::stoi(job.payload());
    job.stage("multiplying");
    job.progress(50, "half");
    return std::to_string(n * n);
  });
  ASSERT_TRUE(worker.start().ok());
  std::vector<std::string> ids;
  for (int i = 1; i <= 6; ++i) {
    JobSpec s = f.spec("square");
    s.payload = std::to_string(i);
    ids.push_back(f.submit(s).id);
  }
  for (int i = 1; i <= 6; ++i) {
    ASSERT_TRUE(reaches(ids[i - 1], JobStatus::completed)) << "job " << i;
    Job done = f.get(ids[i - 1]);
    EXPECT_EQ(done.result, std::to_string(i * i));
    EXPECT_EQ(done.stage, "multiplying");  // the last progress went out before the completion
    EXPECT_EQ(done.progress_message, "half");
  }
  auto names = f.event_names(ids[0]);
  EXPECT_NE(std::find(names.begin(), names.end(), "progress"), names.end());
  worker.stop(0ms);
  worker.wait();
  EXPECT_EQ(worker.counters().completed, 6u);
}

TEST_P(EmbeddedWorker, SoftTimeoutComesFromTheEnginesClock) {
  std::promise<void> noticed;
  Worker worker(*source, options());
  worker.handle("slow", [&](JobContext& job) -> std::string {
    std::promise<void> soft;
    job.on_soft_timeout([&] { soft.set_value(); });
    noticed.set_value();
    if (soft.get_future().wait_for(20s) != std::future_status::ready) return "\"never\"";
    return "\"noticed\"";
  });
  ASSERT_TRUE(worker.start().ok());
  JobSpec s = f.spec("slow");
  s.soft_timeout_ms = 60'000;  // a minute the test does not wait: the clock jumps over it
  Job job = f.submit(s);
  ASSERT_EQ(noticed.get_future().wait_for(10s), std::future_status::ready);
  EXPECT_EQ(f.get(job.id).status, JobStatus::running);
  f.clock.advance(61'000);
  ASSERT_TRUE(reaches(job.id, JobStatus::completed));
  EXPECT_EQ(f.get(job.id).result, "\"noticed\"");
}

TEST_P(EmbeddedWorker, CancellationAndFailures) {
  Worker worker(*source, options(2));
  std::promise<StopReason> reason;
  worker.handle("long", [&](JobContext& job) -> std::string {
    job.wait_cancelled(20s);
    reason.set_value(job.stop_reason());
    throw std::runtime_error("stopped");
  });
  worker.handle("broken", [](JobContext&) -> std::string { throw std::runtime_error("no disk"); });
  ASSERT_TRUE(worker.start().ok());
  Job long_job = f.submit("long");
  JobSpec once = f.spec("broken");
  once.max_attempts = 1;
  Job broken = f.submit(once);

  ASSERT_TRUE(reaches(broken.id, JobStatus::failed));
  EXPECT_EQ(f.get(broken.id).error()->message, "no disk");
  ASSERT_TRUE(reaches(long_job.id, JobStatus::running));
  ASSERT_TRUE(f.engine->cancel(long_job.id).ok());
  auto r = reason.get_future();
  ASSERT_EQ(r.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(r.get(), StopReason::cancel_requested);
  EXPECT_TRUE(reaches(long_job.id, JobStatus::cancelled));
}

TEST_P(EmbeddedWorker, StopHandsRunningJobsBack) {
  std::atomic<bool> started{false};
  Worker worker(*source, options());
  worker.handle("stuck", [&](JobContext& job) {
    started = true;
    job.wait_cancelled(20s);
    return std::string("\"dropped\"");
  });
  ASSERT_TRUE(worker.start().ok());
  Job job = f.submit("stuck");
  ASSERT_TRUE(eventually([&] { return started.load(); }));
  worker.stop(0ms);
  worker.wait();  // the waiting lease of the idle slot is cut short too
  Job back = f.get(job.id);
  EXPECT_TRUE(back.status == JobStatus::scheduled || back.status == JobStatus::queued);
  EXPECT_EQ(back.attempt, 1);
  EXPECT_EQ(worker.counters().handed_back, 1u);
}

TEST_P(EmbeddedWorker, ProgressIsThrottledAndTheLastReportKept) {
  Worker worker(*source, options());
  worker.handle("chatty", [](JobContext& job) {
    for (int i = 1; i <= 200; ++i) {
      job.progress(i / 2.0, "item " + std::to_string(i));
      job.wait_cancelled(1ms);  // spread the reports over a few progress intervals
    }
    return std::string();
  });
  auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(worker.start().ok());
  Job job = f.submit("chatty");
  ASSERT_TRUE(reaches(job.id, JobStatus::completed));
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  auto names = f.event_names(job.id);
  auto progress_events = std::count(names.begin(), names.end(), "progress");
  // One per progress_interval (20 ms) at most, plus the last report sent before the outcome.
  EXPECT_LE(progress_events, elapsed.count() / 20 + 2) << "in " << elapsed.count() << " ms";
  EXPECT_GE(progress_events, 2);  // some went out while it ran, not only the last
  EXPECT_LT(progress_events, 200);
  Job done = f.get(job.id);
  EXPECT_EQ(done.progress, 100);
  EXPECT_EQ(done.progress_message, "item 200");
}

TEST_P(EmbeddedWorker, ALostLeaseStopsTheHandlerAndDropsItsOutcome) {
  std::promise<StopReason> reason;
  Worker worker(*source, options());
  worker.handle("held", [&](JobContext& job) {
    job.wait_cancelled(20s);
    reason.set_value(job.stop_reason());
    return std::string("\"too late\"");
  });
  ASSERT_TRUE(worker.start().ok());
  Job job = f.submit("held");
  ASSERT_TRUE(reaches(job.id, JobStatus::running));
  f.clock.advance(700'000);  // past the 600 s lease, on the engine's clock
  auto ticked = f.engine->tick();
  ASSERT_TRUE(ticked.ok());
  EXPECT_EQ(ticked->expired, 1u);
  auto r = reason.get_future();
  ASSERT_EQ(r.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(r.get(), StopReason::lease_lost);
  ASSERT_TRUE(eventually([&] { return worker.counters().lost == 1; }));
  Job after = f.get(job.id);
  EXPECT_NE(after.status, JobStatus::completed);
  ASSERT_NE(after.error(), nullptr);
  EXPECT_NE(after.error()->message.find("lease"), std::string::npos) << after.error()->message;
}

TEST_P(EmbeddedWorker, AFailingLeaseIsReportedNotSwallowed) {
  std::mutex m;
  std::vector<Error> errors;
  WorkerOptions o = options();
  o.lease_ms = 500;  // below the engine's minimum: every lease is refused
  o.retry_delay = 10ms;
  o.on_error = [&](const Error& e) {
    std::lock_guard lock(m);
    errors.push_back(e);
  };
  Worker worker(*source, o);
  worker.handle("any", [](JobContext&) { return std::string(); });
  ASSERT_TRUE(worker.start().ok());
  ASSERT_TRUE(eventually([&] { return worker.counters().errors >= 2; }));
  worker.stop(0ms);
  worker.wait();
  std::lock_guard lock(m);
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0].code(), ErrorCode::invalid_argument);
  EXPECT_EQ(errors[0].field(), "lease_ms");
  EXPECT_EQ(errors[0].message().rfind("lease: ", 0), 0u) << errors[0].message();
}

INSTANTIATE_TEST_SUITE_P(Stores, EmbeddedWorker, ::testing::Values("memory", "sqlite"));

}  // namespace
}  // namespace jobq

namespace jobq {
namespace {

// SIGTERM to the process stops the worker gracefully instead of killing it. The memory store
// starts no threads, so the signal can only be taken by StopOnSignals' own.
TEST(StopOnSignals, SigtermStopsTheWorkerWithGrace) {
  testing::EngineFixture f("memory");
  auto source = engine_job_source(*f.engine);
  WorkerOptions o;
  o.lease_wait = std::chrono::seconds(5);
  o.beat_interval = std::chrono::milliseconds(0);
  Worker worker(*source, o);
  std::atomic<bool> started{false};
  worker.handle("job", [&](JobContext& job) {
    started = true;
    // Finishes once the stop is under way, well within the grace period.
    bool stopping = testing::eventually([&] { return worker.state() == WorkerState::stopping; });
    EXPECT_FALSE(job.cancelled());
    return std::string(stopping ? "\"finished in grace\"" : "\"no stop seen\"");
  });
  StopOnSignals signals(worker);
  ASSERT_TRUE(worker.start().ok());
  Job job = f.submit("job");
  ASSERT_TRUE(testing::eventually([&] { return started.load(); }));
  ASSERT_EQ(kill(getpid(), SIGTERM), 0);
  ASSERT_TRUE(testing::eventually([&] { return worker.state() == WorkerState::stopped; }));
  worker.wait();
  EXPECT_EQ(f.get(job.id).status, JobStatus::completed);
  EXPECT_EQ(f.get(job.id).result, "\"finished in grace\"");
  EXPECT_EQ(worker.counters().completed, 1u);
}

}  // namespace
}  // namespace jobq
