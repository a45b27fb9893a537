// JobContext's cancellation: a callback runs once, with the first reason, however it is set up.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

#include "jobq/worker.h"

namespace jobq {
namespace {

using namespace std::chrono_literals;

TEST(JobContextOnCancel, ACallbackRegisteredBeforeTheStopRunsOnceWithTheFirstReason) {
  JobContext job(Job{}, std::chrono::steady_clock::now());
  std::vector<StopReason> calls;
  job.on_cancel([&](StopReason r) { calls.push_back(r); });
  job.on_cancel([&](StopReason r) { calls.push_back(r); });
  EXPECT_TRUE(calls.empty());
  job.request_stop(StopReason::cancel_requested);
  job.request_stop(StopReason::timed_out);  // the first reason sticks; no second call
  EXPECT_EQ(calls, (std::vector<StopReason>{StopReason::cancel_requested,
                                            StopReason::cancel_requested}));
  EXPECT_EQ(job.stop_reason(), StopReason::cancel_requested);
}

TEST(JobContextOnCancel, ACallbackRegisteredAfterTheStopRunsAtOnceOnTheCallersThread) {
  JobContext job(Job{}, std::chrono::steady_clock::now());
  job.request_stop(StopReason::lease_lost);
  std::thread::id ran_on;
  StopReason reason = StopReason::none;
  job.on_cancel([&](StopReason r) {
    reason = r;
    ran_on = std::this_thread::get_id();
  });
  EXPECT_EQ(reason, StopReason::lease_lost);
  EXPECT_EQ(ran_on, std::this_thread::get_id());
}

TEST(JobContextOnCancel, NoneIsNotAStop) {
  JobContext job(Job{}, std::chrono::steady_clock::now());
  bool called = false;
  job.on_cancel([&](StopReason) { called = true; });
  job.request_stop(StopReason::none);
  EXPECT_FALSE(called);
  EXPECT_FALSE(job.cancelled());
}

TEST(JobContextOnCancel, AStopFromAnotherThreadWakesAWaiterAndRunsTheCallbackThere) {
  JobContext job(Job{}, std::chrono::steady_clock::now());
  std::thread::id ran_on;
  job.on_cancel([&](StopReason) { ran_on = std::this_thread::get_id(); });
  std::thread stopper([&] { job.request_stop(StopReason::worker_stopping); });
  std::thread::id stopper_id = stopper.get_id();
  EXPECT_TRUE(job.wait_cancelled(10s));
  stopper.join();
  EXPECT_EQ(ran_on, stopper_id);
  EXPECT_TRUE(job.cancelled());
}

}  // namespace
}  // namespace jobq
