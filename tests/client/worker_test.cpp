// The worker runtime against the real jobqd: progress, cancellation, timeouts, failures, a stop
// with grace, and the server's orders.
#include "jobq/worker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <latch>

#include "client/jobqd_process.h"
#include "jobq/client.h"

namespace jobq {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::JobqdProcess;

// A gate a test opens for a handler; a handler that never sees it open gives up after 20 s.
class Gate {
 public:
  void open() {
    std::lock_guard lock(m_);
    open_ = true;
    cv_.notify_all();
  }
  bool wait(std::chrono::milliseconds timeout = 20s) {
    std::unique_lock lock(m_);
    return cv_.wait_for(lock, timeout, [&] { return open_; });
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  bool open_ = false;
};

class WorkerTest : public ::testing::Test {
 protected:
  WorkerTest() : client(options()), source(remote_job_source(client)) {}

  ClientOptions options() {
    ClientOptions o;
    o.url = server.url();
    return o;
  }

  WorkerOptions worker_options(int concurrency = 1) {
    WorkerOptions o;
    o.id = "w-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name());
    o.concurrency = concurrency;
    o.lease_ms = 5'000;
    o.lease_wait = 500ms;
    o.heartbeat_interval = 200ms;
    o.progress_interval = 50ms;
    o.beat_interval = 100ms;
    o.grace = 5s;
    return o;
  }

  Job submit(const std::string& type, JobSpec s = {}) {
    s.type = type;
    auto r = client.submit(s);
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r->job;
  }

  // The job once it has the status, or as it was at the deadline.
  Job await(const std::string& id, JobStatus status, std::chrono::milliseconds timeout = 15s) {
    Job last;
    eventually(
        [&] {
          auto j = client.get(id);
          if (j.ok()) last = *j;
          return j.ok() && j->status == status;
        },
        timeout);
    return last;
  }

  JobqdProcess server;
  Client client;
  std::unique_ptr<JobSource> source;
};

TEST_F(WorkerTest, RunsJobsAndReportsProgress) {
  Gate finish;
  Worker worker(*source, worker_options(2));
  worker.handle("resize", [&](JobContext& job) {
    job.stage("scaling");
    job.progress(50, "half way");
    job.items(5, 10);
    EXPECT_TRUE(finish.wait());
    return std::string(R"({"size":)") + job.payload() + "}";
  });
  ASSERT_TRUE(worker.start().ok());
  JobSpec s;
  s.payload = "123";
  Job job = submit("resize", s);

  Job running;
  ASSERT_TRUE(eventually([&] {
    auto j = client.get(job.id);
    running = j.ok() ? *j : Job{};
    return running.progress == 50;
  })) << "no progress reached the server";
  EXPECT_EQ(running.status, JobStatus::running);
  EXPECT_EQ(running.stage, "scaling");
  EXPECT_EQ(running.progress_message, "half way");
  EXPECT_EQ(running.processed_items, 5);
  EXPECT_EQ(running.worker_id, worker.id());
  finish.open();

  Job done = await(job.id, JobStatus::completed);
  EXPECT_EQ(done.status, JobStatus::completed);
  EXPECT_EQ(done.result, R"({"size":123})");
  worker.stop(0ms);
  worker.wait();
  EXPECT_EQ(worker.counters().completed, 1u);
}

TEST_F(WorkerTest, CancellationReachesTheHandler) {
  std::promise<StopReason> seen;
  Worker worker(*source, worker_options());
  worker.handle("long", [&](JobContext& job) -> std::string {
    job.progress(1);
    if (!job.wait_cancelled(20s)) return "\"never cancelled\"";
    seen.set_value(job.stop_reason());
    throw std::runtime_error("gave up on request");
  });
  ASSERT_TRUE(worker.start().ok());
  Job job = submit("long");
  await(job.id, JobStatus::running);
  ASSERT_TRUE(client.cancel(job.id).ok());
  auto reason = seen.get_future();
  ASSERT_EQ(reason.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(reason.get(), StopReason::cancel_requested);
  EXPECT_EQ(await(job.id, JobStatus::cancelled).status, JobStatus::cancelled);
}

TEST_F(WorkerTest, SoftTimeoutIsNoticed) {
  Worker worker(*source, worker_options());
  worker.handle("slow", [&](JobContext& job) -> std::string {
    std::promise<void> noticed;
    job.on_soft_timeout([&] { noticed.set_value(); });
    if (noticed.get_future().wait_for(20s) != std::future_status::ready) return "\"late\"";
    EXPECT_TRUE(job.soft_timeout_passed());
    EXPECT_FALSE(job.cancelled());
    return "\"noticed\"";
  });
  ASSERT_TRUE(worker.start().ok());
  JobSpec s;
  s.soft_timeout_ms = 300;
  Job job = submit("slow", s);
  Job done = await(job.id, JobStatus::completed);
  EXPECT_EQ(done.result, "\"noticed\"");
}

TEST_F(WorkerTest, HardTimeoutAsksTheHandlerToStop) {
  std::promise<StopReason> seen;
  Worker worker(*source, worker_options());
  worker.handle("stuck", [&](JobContext& job) -> std::string {
    EXPECT_TRUE(job.deadline().has_value());
    job.wait_cancelled(20s);
    seen.set_value(job.stop_reason());
    return "\"too late\"";
  });
  ASSERT_TRUE(worker.start().ok());
  JobSpec s;
  s.timeout_ms = 1000;
  s.max_attempts = 1;
  Job job = submit("stuck", s);
  auto reason = seen.get_future();
  ASSERT_EQ(reason.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(reason.get(), StopReason::timed_out);
  Job failed = await(job.id, JobStatus::failed);
  EXPECT_EQ(failed.status, JobStatus::failed);
}

TEST_F(WorkerTest, AnExceptionFailsTheJobWithItsMessage) {
  Worker worker(*source, worker_options());
  worker.handle("broken",
                [](JobContext&) -> std::string { throw std::runtime_error("disk full"); });
  worker.handle("hopeless", [](JobContext&) -> std::string {
    throw JobFailure("bad input", /*retryable=*/false, "at step 3");
  });
  ASSERT_TRUE(worker.start().ok());
  JobSpec once;
  once.max_attempts = 1;
  Job broken = submit("broken", once);
  Job hopeless = submit("hopeless");  // three attempts allowed, but not retryable

  Job b = await(broken.id, JobStatus::failed);
  ASSERT_NE(b.error(), nullptr);
  EXPECT_EQ(b.error()->message, "disk full");
  Job h = await(hopeless.id, JobStatus::failed);
  ASSERT_NE(h.error(), nullptr);
  EXPECT_EQ(h.error()->message, "bad input");
  EXPECT_EQ(h.error()->traceback, "at step 3");
  EXPECT_EQ(h.attempt, 1);
}

TEST_F(WorkerTest, AResultThatIsNotJsonFailsTheJob) {
  std::mutex m;
  std::vector<std::string> errors;
  WorkerOptions o = worker_options();
  o.on_error = [&](const Error& e) {
    std::lock_guard lock(m);
    errors.push_back(e.to_string());
  };
  Worker worker(*source, o);
  worker.handle("sloppy", [](JobContext&) { return std::string("{not json"); });
  ASSERT_TRUE(worker.start().ok());
  JobSpec once;
  once.max_attempts = 1;
  Job job = submit("sloppy", once);
  Job failed = await(job.id, JobStatus::failed);
  ASSERT_NE(failed.error(), nullptr);
  EXPECT_NE(failed.error()->message.find("the handler's result was refused"), std::string::npos)
      << failed.error()->message;
  std::lock_guard lock(m);
  ASSERT_FALSE(errors.empty());
  EXPECT_NE(errors[0].find("complete job " + job.id), std::string::npos) << errors[0];
}

TEST_F(WorkerTest, StopLetsRunningJobsFinishAndHandsTheRestBack) {
  Gate quick_may_finish;
  std::atomic<int> started{0};
  std::promise<StopReason> stuck_reason;
  Worker worker(*source, worker_options(2));
  worker.handle("quick", [&](JobContext&) {
    ++started;
    EXPECT_TRUE(quick_may_finish.wait());
    return std::string("\"finished in grace\"");
  });
  worker.handle("stuck", [&](JobContext& job) {
    ++started;
    job.wait_cancelled(20s);
    stuck_reason.set_value(job.stop_reason());
    return std::string("\"should be dropped\"");
  });
  ASSERT_TRUE(worker.start().ok());
  Job quick = submit("quick");
  Job stuck = submit("stuck");
  ASSERT_TRUE(eventually([&] { return started == 2; }));

  worker.stop(3s);
  EXPECT_EQ(worker.state(), WorkerState::stopping);
  // The worker's long poll for jobs to run ahead is cut short by the stop.
  ASSERT_TRUE(eventually([&] {
    auto m = client.fetch_text("GET", "/metrics");
    return m.ok() && m->find("\njobq_leases_waiting 0\n") != std::string::npos;
  })) << "the stopping worker's lease still waits";
  Job later = submit("quick");  // leased by nobody: the worker stopped leasing
  quick_may_finish.open();
  EXPECT_EQ(await(quick.id, JobStatus::completed).result, "\"finished in grace\"");

  auto reason = stuck_reason.get_future();
  ASSERT_EQ(reason.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(reason.get(), StopReason::worker_stopping);
  worker.wait();
  EXPECT_EQ(worker.state(), WorkerState::stopped);

  auto back = client.get(stuck.id);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->status == JobStatus::scheduled || back->status == JobStatus::queued)
      << to_string(back->status);
  ASSERT_NE(back->error(), nullptr);
  EXPECT_NE(back->error()->message.find("handed back"), std::string::npos);
  EXPECT_EQ(client.get(later.id)->status, JobStatus::queued);
  WorkerCounters c = worker.counters();
  EXPECT_EQ(c.completed, 1u);
  EXPECT_EQ(c.handed_back, 1u);
}

TEST_F(WorkerTest, ObeysTheServersScaleQuietAndStop) {
  Worker worker(*source, worker_options(1));
  worker.handle("any", [](JobContext&) { return std::string("1"); });
  ASSERT_TRUE(worker.start().ok());
  ASSERT_TRUE(eventually([&] { return client.scale_worker(worker.id(), 3).ok(); }))
      << "the worker never beat";
  ASSERT_TRUE(eventually([&] { return worker.concurrency() == 3; }));

  Job before = submit("any");
  EXPECT_EQ(await(before.id, JobStatus::completed).status, JobStatus::completed);
  ASSERT_TRUE(client.quiet_worker(worker.id()).ok());
  ASSERT_TRUE(eventually([&] { return worker.state() == WorkerState::quiet; }));
  // Slots may be inside a lease poll when the order comes; each takes at most one more job.
  for (int i = 0; i < 3; ++i) submit("any");
  Job after = submit("any");
  EXPECT_EQ(await(after.id, JobStatus::completed, 2s).status, JobStatus::queued);

  ASSERT_TRUE(client.stop_worker(worker.id()).ok());
  ASSERT_TRUE(eventually([&] { return worker.state() == WorkerState::stopped; }));
  worker.wait();
}

}  // namespace
}  // namespace jobq
