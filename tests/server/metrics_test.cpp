#include "server/live/metrics.h"

#include <gtest/gtest.h>

#include "server/live/throughput.h"
#include "support/engine_fixture.h"

namespace jobq::server {
namespace {

using jobq::testing::EngineFixture;

TEST(Metrics, CountsJobsByQueueAndTypeAndObservesRunTimes) {
  EngineFixture f("memory");
  Metrics metrics(f.bus);
  f.submit("email", "mail");
  f.submit("email", "mail");
  auto jobs = f.lease(2, {"mail"});
  ASSERT_EQ(jobs.size(), 2u);
  f.clock.advance(1500);
  ASSERT_TRUE(f.engine->complete(jobs[0].id, jobs[0].lease_token, "1").ok());
  ASSERT_TRUE(f.engine->fail(jobs[1].id, jobs[1].lease_token, {"boom", "", false}).ok());
  metrics.record_request("GET", "/api/v1/jobs/{id}", 404);

  std::string text = metrics.render(*f.engine->stats(), 3, 2, {4, 1});
  EXPECT_NE(text.find("jobq_jobs_submitted_total{queue=\"mail\",type=\"email\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("jobq_jobs_completed_total{queue=\"mail\",type=\"email\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("jobq_jobs_failed_total{queue=\"mail\",type=\"email\"} 1\n"),
            std::string::npos);
  // Both attempts ran 1.5 s: above the 1 s bucket, within 2.5 s.
  EXPECT_NE(text.find("jobq_job_run_seconds_bucket{queue=\"mail\",le=\"1\"} 0\n"),
            std::string::npos);
  EXPECT_NE(text.find("jobq_job_run_seconds_bucket{queue=\"mail\",le=\"2.5\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("jobq_job_run_seconds_count{queue=\"mail\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("jobq_workers_alive 3\n"), std::string::npos);
  EXPECT_NE(text.find("jobq_leases_waiting 2\n"), std::string::npos);
  EXPECT_NE(text.find("jobq_webhook_deliveries{status=\"pending\"} 4\n"), std::string::npos);
  EXPECT_NE(text.find("jobq_webhook_deliveries{status=\"dead\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("jobq_http_requests_total{method=\"GET\",route=\"/api/v1/jobs/{id}\","
                      "status=\"404\"} 1\n"),
            std::string::npos);
}

TEST(Throughput, AveragesFinishedJobsOverTheLastMinute) {
  EngineFixture f("memory");
  Throughput throughput(f.bus, f.clock);
  for (int i = 0; i < 6; ++i) f.submit("report");
  auto jobs = f.lease(6, {"default"});
  for (int i = 0; i < 6; ++i) {
    if (i < 4)
      ASSERT_TRUE(f.engine->complete(jobs[i].id, jobs[i].lease_token, "1").ok());
    else
      ASSERT_TRUE(f.engine->fail(jobs[i].id, jobs[i].lease_token, {"x", "", false}).ok());
  }
  EXPECT_DOUBLE_EQ(throughput.total().completed_per_s, 4.0 / 60);
  EXPECT_DOUBLE_EQ(throughput.of_type("report").failed_per_s, 2.0 / 60);
  EXPECT_DOUBLE_EQ(throughput.of_type("other").completed_per_s, 0);
  f.clock.advance(60'000);
  EXPECT_DOUBLE_EQ(throughput.total().completed_per_s, 0);
}

TEST(Throughput, KeepsFifteenMinutesOfSecondsForTheChart) {
  EngineFixture f("memory");
  Throughput throughput(f.bus, f.clock);
  auto finish = [&](int completed, int failed) {
    for (int i = 0; i < completed + failed; ++i) f.submit("report");
    auto jobs = f.lease(completed + failed, {"default"});
    for (int i = 0; i < int(jobs.size()); ++i) {
      if (i < completed)
        ASSERT_TRUE(f.engine->complete(jobs[i].id, jobs[i].lease_token, "1").ok());
      else
        ASSERT_TRUE(f.engine->fail(jobs[i].id, jobs[i].lease_token, {"x", "", false}).ok());
    }
  };
  std::int64_t first = f.clock.now() / 1000;
  finish(3, 1);
  f.clock.advance(10 * 60'000);  // ten minutes on: still in the history, out of the last minute
  finish(2, 0);
  auto seconds = throughput.history();
  ASSERT_EQ(seconds.size(), 2u);
  EXPECT_EQ(seconds[0].second, first);
  EXPECT_EQ(seconds[0].completed, 3);
  EXPECT_EQ(seconds[0].failed, 1);
  EXPECT_EQ(seconds[1].second, first + 600);
  EXPECT_EQ(seconds[1].completed, 2);
  EXPECT_DOUBLE_EQ(throughput.total().completed_per_s, 2.0 / 60);
  f.clock.advance(6 * 60'000);  // sixteen minutes after the first: it has left the history
  seconds = throughput.history();
  ASSERT_EQ(seconds.size(), 1u);
  EXPECT_EQ(seconds[0].second, first + 600);
}

}  // namespace
}  // namespace jobq::server
