// The worker's outcomes and prefetch, against a source in memory that records every call: the
// slots never wait for an answer, outcomes that finish while the calls are out go together in
// the next, which leases the refill; the jobs unfinished never exceed the slots and the
// prefetch; a group refused as a whole is sent again outcome by outcome; a stop gives the jobs
// not started back; a job cancelled while it waits ahead ends without running; an outcome is
// tried again while the source is unavailable.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <utility>

#include "jobq/worker.h"
#include "support/eventually.h"

namespace jobq {
namespace {

using namespace std::chrono_literals;
using testing::eventually;

struct Call {
  std::vector<std::string> ids;  // the outcomes it carried
  int jobs_wanted;
};

class FakeSource : public JobSource {
 public:
  void add_jobs(int n, const std::string& type = "t") {
    std::lock_guard lock(m_);
    for (int i = 0; i < n; ++i) {
      Job j;
      j.id = "j" + std::to_string(next_++);
      j.type = type;
      j.lease_token = "tok-" + j.id;
      j.payload = "{}";
      queued_.push_back(j);
    }
    cv_.notify_all();
  }

  Result<std::vector<Job>> lease(const LeaseRequest& request,
                                 std::chrono::milliseconds wait) override {
    std::unique_lock lock(m_);
    cv_.wait_for(lock, wait, [&] { return !queued_.empty() || woken_; });
    woken_ = false;
    return take(request.max_jobs);
  }
  Result<HeartbeatReply> heartbeat(const std::string& id, const std::string&,
                                   const Progress&) override {
    std::lock_guard lock(m_);
    ++heartbeats_[id];
    HeartbeatReply r;
    r.cancel_requested = cancel_.count(id) > 0;
    return r;
  }
  Result<Job> complete(const std::string& id, const std::string& token,
                       const std::string& result) override {
    return finish({id, token, result});
  }
  Result<Job> fail(const std::string& id, const std::string& token, const std::string& message,
                   const std::string& traceback, bool retryable) override {
    return finish({id, token, "null", message, traceback, retryable});
  }
  Result<Job> release(const std::string& id, const std::string&) override {
    std::lock_guard lock(m_);
    released_.push_back(id);
    --held_;
    return Job{};
  }
  Handoff finish_and_lease(const std::vector<AckItem>& items, const LeaseRequest& next) override {
    std::vector<std::string> ids;
    for (const auto& i : items) ids.push_back(i.id);
    std::size_t index;
    {
      std::lock_guard lock(m_);
      calls_.push_back({ids, next.max_jobs});
      index = calls_.size();
    }
    if (index <= hold_calls) held_calls_may_answer.wait();
    Handoff h;
    bool refused = false;
    for (const auto& i : items) refused = refused || (items.size() > 1 && i.result_json == "bad");
    for (const auto& i : items) {
      if (refused) {
        h.outcomes.push_back(Error(ErrorCode::invalid_argument, "not JSON", "result"));
        continue;
      }
      if (i.result_json == "bad") {
        h.outcomes.push_back(Error(ErrorCode::invalid_argument, "not JSON", "result"));
        continue;
      }
      auto r = finish(i);
      h.outcomes.push_back(r ? Status{} : Status(r.error()));
    }
    std::lock_guard lock(m_);
    if (auto jobs = take(next.max_jobs)) h.jobs = std::move(*jobs);
    return h;
  }
  Result<WorkerOrders> beat(const WorkerBeat& b) override {
    WorkerOrders o;
    o.concurrency = b.concurrency;
    return o;
  }
  void wake() override {
    std::lock_guard lock(m_);
    woken_ = true;
    cv_.notify_all();
  }

  std::vector<Call> calls() {
    std::lock_guard lock(m_);
    return calls_;
  }
  std::map<std::string, AckItem> finished() {
    std::lock_guard lock(m_);
    return finished_;
  }
  std::vector<std::string> released() {
    std::lock_guard lock(m_);
    return released_;
  }
  int most_held() {
    std::lock_guard lock(m_);
    return most_held_;
  }
  // What the prefetch bounds: the jobs leased whose handlers have not returned (held counts a
  // job until its outcome arrives, and outcomes wait for the calls out).
  void handled() {
    std::lock_guard lock(m_);
    --unfinished_;
  }
  int most_unfinished() {
    std::lock_guard lock(m_);
    return most_unfinished_;
  }
  int finished_twice() {
    std::lock_guard lock(m_);
    return twice_;
  }
  int heartbeats(const std::string& id) {
    std::lock_guard lock(m_);
    return heartbeats_[id];
  }
  void cancel(const std::string& id) {
    std::lock_guard lock(m_);
    cancel_.insert(id);
  }

  std::size_t hold_calls = 0;  // the first calls, which wait for held_calls_may_answer
  std::shared_future<void> held_calls_may_answer;
  std::atomic<int> unavailable_answers{0};  // the next finishes answer `unavailable`

 private:
  // Under m_.
  Result<std::vector<Job>> take(int max) {
    std::vector<Job> out;
    while (max-- > 0 && !queued_.empty()) {
      out.push_back(queued_.front());
      queued_.pop_front();
    }
    held_ += int(out.size());
    most_held_ = std::max(most_held_, held_);
    unfinished_ += int(out.size());
    most_unfinished_ = std::max(most_unfinished_, unfinished_);
    return out;
  }
  Result<Job> finish(const AckItem& item) {
    if (unavailable_answers > 0) {
      --unavailable_answers;
      return Error(ErrorCode::unavailable, "server restarting");
    }
    std::lock_guard lock(m_);
    if (!finished_.emplace(item.id, item).second) ++twice_;
    --held_;
    return Job{};
  }

  std::mutex m_;
  std::condition_variable cv_;
  std::deque<Job> queued_;
  int next_ = 0;
  int held_ = 0;
  int most_held_ = 0;
  int unfinished_ = 0;
  int most_unfinished_ = 0;
  int twice_ = 0;
  bool woken_ = false;
  std::vector<Call> calls_;
  std::map<std::string, AckItem> finished_;
  std::vector<std::string> released_;
  std::map<std::string, int> heartbeats_;
  std::set<std::string> cancel_;
};

// Lets the held calls answer when the test says, or when it ends (a failed assertion too), so
// that the worker it outlives can stop. Declare it after the worker.
class Opener {
 public:
  explicit Opener(FakeSource& source, std::size_t calls) {
    source.hold_calls = calls;
    source.held_calls_may_answer = promise_.get_future().share();
  }
  ~Opener() { open(); }
  void open() {
    if (!std::exchange(open_, true)) promise_.set_value();
  }

 private:
  std::promise<void> promise_;
  bool open_ = false;
};

WorkerOptions options(int concurrency, int prefetch) {
  WorkerOptions o;
  o.id = "w";
  o.queues = {"q"};
  o.concurrency = concurrency;
  o.prefetch = prefetch;
  o.lease_wait = 200ms;
  o.heartbeat_interval = 50ms;
  o.beat_interval = 0ms;
  o.retry_delay = 10ms;
  o.grace = 5s;
  return o;
}

TEST(WorkerOutcomes, EveryJobFinishesOnceAndTheUnfinishedNeverExceedSlotsAndPrefetch) {
  FakeSource source;
  source.add_jobs(500);
  Worker worker(source, options(3, 4));
  worker.handle("t", [&](JobContext&) {
    source.handled();
    return std::string("1");
  });
  ASSERT_TRUE(worker.start().ok());
  ASSERT_TRUE(eventually([&] { return source.finished().size() == 500; }));
  worker.stop(0ms);
  worker.wait();
  EXPECT_EQ(source.finished_twice(), 0);
  EXPECT_LE(source.most_unfinished(), 3 + 4);
  EXPECT_GT(source.most_unfinished(), 3);  // jobs were leased ahead of the slots
  EXPECT_EQ(worker.counters().completed, 500u);
  // Outcomes went together: far fewer calls than jobs, each asking for the refill.
  auto calls = source.calls();
  EXPECT_LT(calls.size(), 400u);
  for (const Call& c : calls) EXPECT_LE(c.jobs_wanted, 3 + 4);
}

// With two calls held: j0 ends first and goes alone, j1 once j0's call is out and goes alone
// too, j2 and j3 once both calls are out, so they go together in the next.
void end_in_turn(FakeSource& source, const JobContext& job) {
  if (job.id() == "j1") {
    EXPECT_TRUE(eventually([&] { return source.calls().size() == 1; }));
  } else if (job.id() != "j0") {
    EXPECT_TRUE(eventually([&] { return source.calls().size() == 2; }));
  }
}

TEST(WorkerOutcomes, OutcomesFinishedWhileTheCallsAreOutGoTogetherInTheNext) {
  FakeSource source;
  source.add_jobs(4);
  std::atomic<int> ran{0};
  Worker worker(source, options(4, 0));
  Opener opener(source, 2);  // the worker has two calls out at most
  worker.handle("t", [&](JobContext& job) {
    ++ran;
    end_in_turn(source, job);
    return std::string("1");
  });
  ASSERT_TRUE(worker.start().ok());
  // The jobs end while the calls are out, not waiting for them (a job counts as running until
  // its outcome is queued).
  ASSERT_TRUE(eventually([&] { return ran == 4 && worker.running() == 0; }));
  auto calls = source.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].ids, std::vector<std::string>{"j0"});
  EXPECT_EQ(calls[1].ids, std::vector<std::string>{"j1"});
  opener.open();
  ASSERT_TRUE(eventually([&] { return source.finished().size() == 4; }));
  calls = source.calls();
  ASSERT_EQ(calls.size(), 3u);
  auto third = calls[2].ids;
  std::sort(third.begin(), third.end());
  EXPECT_EQ(third, (std::vector<std::string>{"j2", "j3"}));
  EXPECT_LE(calls[2].jobs_wanted, 4);
  EXPECT_GE(calls[2].jobs_wanted, 1);
  worker.stop(0ms);
  worker.wait();
}

TEST(WorkerOutcomes, AGroupRefusedAsAWholeIsSentAgainOneByOne) {
  FakeSource source;
  source.add_jobs(4);
  std::atomic<int> ran{0};
  Worker worker(source, options(4, 0));
  Opener opener(source, 2);
  worker.handle("t", [&](JobContext& job) {
    ++ran;
    end_in_turn(source, job);
    // j3's result is one the source refuses (as /ack refuses the whole call).
    return std::string(job.id() == "j3" ? "bad" : "1");
  });
  ASSERT_TRUE(worker.start().ok());
  ASSERT_TRUE(eventually([&] { return ran == 4 && worker.running() == 0; }));
  opener.open();
  ASSERT_TRUE(eventually([&] { return source.finished().size() == 4; }));
  worker.stop(0ms);
  worker.wait();
  auto calls = source.calls();
  // The two held; j2 and j3 together, refused whole; each again alone; j3's failure.
  ASSERT_EQ(calls.size(), 6u);
  EXPECT_EQ(calls[2].ids.size(), 2u);
  EXPECT_EQ(calls[3].ids.size(), 1u);
  EXPECT_EQ(calls[4].ids.size(), 1u);
  EXPECT_EQ(calls[5].ids, std::vector<std::string>{"j3"});
  auto finished = source.finished();
  EXPECT_EQ(finished["j2"].error, "");
  EXPECT_NE(finished["j3"].error.find("the handler's result was refused"), std::string::npos)
      << finished["j3"].error;
  WorkerCounters c = worker.counters();
  EXPECT_EQ(c.completed, 3u);
  EXPECT_EQ(c.failed, 1u);
}

TEST(WorkerOutcomes, AStopGivesTheJobsNotStartedBack) {
  FakeSource source;
  source.add_jobs(4);
  std::promise<void> release_handler;
  std::shared_future<void> may_finish = release_handler.get_future().share();
  std::atomic<int> started{0};
  Worker worker(source, options(1, 3));
  worker.handle("t", [&](JobContext&) {
    ++started;
    may_finish.wait();
    return std::string("1");
  });
  ASSERT_TRUE(worker.start().ok());
  ASSERT_TRUE(eventually([&] { return started == 1 && source.most_held() == 4; }));
  worker.stop(5s);
  ASSERT_TRUE(eventually([&] { return source.released().size() == 3; }));
  release_handler.set_value();
  worker.wait();
  EXPECT_EQ(started, 1);
  EXPECT_EQ(source.finished().size(), 1u);  // the running one finished in the grace
  EXPECT_EQ(worker.counters().handed_back, 3u);
}

TEST(WorkerOutcomes, AJobCancelledWhileItWaitsAheadEndsWithoutRunning) {
  FakeSource source;
  source.add_jobs(2);
  std::promise<void> release_handler;
  std::shared_future<void> may_finish = release_handler.get_future().share();
  std::vector<std::string> ran;
  std::mutex m;
  Worker worker(source, options(1, 1));
  worker.handle("t", [&](JobContext& job) {
    {
      std::lock_guard lock(m);
      ran.push_back(job.id());
    }
    if (job.id() == "j0") may_finish.wait();
    return std::string("1");
  });
  ASSERT_TRUE(worker.start().ok());
  ASSERT_TRUE(eventually([&] { return source.most_held() == 2; }));
  source.cancel("j1");
  // j1's lease is renewed while it waits; the heartbeat brings the cancel.
  ASSERT_TRUE(eventually([&] { return source.finished().count("j1") == 1; }));
  release_handler.set_value();
  ASSERT_TRUE(eventually([&] { return source.finished().size() == 2; }));
  worker.stop(0ms);
  worker.wait();
  EXPECT_EQ(ran, std::vector<std::string>{"j0"});
  EXPECT_EQ(source.finished()["j1"].error, "cancelled before it started");
  EXPECT_GE(source.heartbeats("j1"), 1);
}

TEST(WorkerOutcomes, AnOutcomeIsTriedAgainWhileTheSourceIsUnavailable) {
  FakeSource source;
  source.unavailable_answers = 2;
  source.add_jobs(1);
  std::vector<std::string> errors;
  std::mutex m;
  WorkerOptions o = options(1, 0);
  o.on_error = [&](const Error& e) {
    std::lock_guard lock(m);
    errors.push_back(e.message());
  };
  Worker worker(source, o);
  worker.handle("t", [](JobContext&) { return std::string("1"); });
  ASSERT_TRUE(worker.start().ok());
  ASSERT_TRUE(eventually([&] { return source.finished().size() == 1; }));
  worker.stop(0ms);
  worker.wait();
  EXPECT_EQ(worker.counters().completed, 1u);
  std::lock_guard lock(m);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_NE(errors[0].find("complete job j0 (will try again)"), std::string::npos) << errors[0];
}

}  // namespace
}  // namespace jobq
