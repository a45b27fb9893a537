// The JSON form of a job read back: job_to_json then job_from_json gives the same job, and a
// submit body from job_spec_to_json reads back as the same spec.
#include "wire/job_json.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/job_spec.h"
#include "wire/job_spec_json.h"

namespace jobq {
namespace {

Job full_job() {
  Job j;
  j.id = "0190f5d2-7c1e-7a2b-8c3d-4e5f60718293";
  j.type = "render";
  j.queue = "media";
  j.priority = 80;
  j.payload = R"({"a":[1,2,{"b":null}],"s":"x"})";
  j.status = JobStatus::running;
  j.stage = "encoding";
  j.progress = 42.5;
  j.progress_message = "half";
  j.processed_items = 17;
  j.total_items = 40;
  j.attempt = 2;
  j.max_attempts = 5;
  j.backoff = {250, 1.5, 60'000, 0.25};  // a fraction: written as a number, not a boolean
  j.timeout_ms = 90'000;
  j.soft_timeout_ms = 30'000;
  j.run_at = 1'700'000'000'123;
  j.worker_id = "w1";
  j.lease_token = "tok";
  j.lease_expires_at = 1'700'000'030'456;
  j.cancel_requested = true;
  j.errors = {{"boom", "at line 3", 1, 1'700'000'000'999}};
  j.user_id = "u7";
  j.tags = {"x", "y"};
  j.idempotency_key = "key-1";
  j.depends_on = {"0190f5d2-7c1e-7a2b-8c3d-4e5f60718200"};
  j.callback_url = "https://example.test/hook";
  j.created_at = 1'700'000'000'001;
  j.updated_at = 1'700'000'000'002;
  j.started_at = 1'700'000'000'003;
  j.expires_at = 1'700'000'000'005;
  j.result_ttl_ms = 3'600'000;
  return j;
}

TEST(JobJson, RoundTripKeepsEveryField) {
  Job j = full_job();
  auto back = job_from_json(job_to_json(j, true));
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(*back, j);
}

TEST(JobJson, RoundTripThroughText) {
  Job j = full_job();
  j.status = JobStatus::completed;
  j.result = R"({"url":"/r/1.pdf"})";
  j.completed_at = 1'700'000'000'004;
  j.lease_token.clear();
  auto back = job_from_json(boost::json::parse(boost::json::serialize(job_to_json(j))));
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(*back, j);
}

TEST(JobJson, APayloadAsDeepAsASubmitMayBeReadsBack) {
  Job j = full_job();
  j.payload = std::string(64, '[') + std::string(64, ']');  // the submit's nesting limit
  boost::json::object o = job_to_json(j);
  EXPECT_EQ(boost::json::serialize(o.at("payload")), j.payload);
  boost::json::parse_options deep;
  deep.max_depth = 100;
  EXPECT_EQ(boost::json::parse(job_json_text(j), {}, deep).as_object(), o);
}

TEST(JobJson, NullResultOfACompletedJobIsNull) {
  Job j;
  j.id = "0190f5d2-7c1e-7a2b-8c3d-4e5f60718293";
  j.type = "t";
  j.status = JobStatus::completed;
  j.result = "null";
  EXPECT_EQ(job_from_json(job_to_json(j))->result, "null");
  j.status = JobStatus::queued;
  j.result.clear();
  EXPECT_EQ(job_from_json(job_to_json(j))->result, "");
}

TEST(JobJson, WrongTypeNamesTheField) {
  auto bad = job_from_json(boost::json::parse(R"({"id":"x","priority":"high"})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field(), "priority");
  auto status = job_from_json(boost::json::parse(R"({"status":"sleeping"})"));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().field(), "status");
  EXPECT_FALSE(job_from_json(boost::json::parse("[1]")).ok());
}

TEST(JobJson, UnknownFieldsAreIgnored) {
  auto j = job_from_json(boost::json::parse(R"({"type":"t","added_later":{"x":1}})"));
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j->type, "t");
}

TEST(JobSpecToJson, ReadsBackAsTheSameSpec) {
  JobSpec s;
  s.type = "render";
  s.queue = "media";
  s.priority = 100;
  s.payload = R"({"k":[true,15,"x"]})";
  s.max_attempts = 7;
  s.backoff = Backoff{100, 2.0, 5000, true};
  s.timeout_ms = 1000;
  s.soft_timeout_ms = 500;
  s.delay_ms = 2500;
  s.user_id = "u";
  s.tags = {"a"};
  s.idempotency_key = "i";
  s.depends_on = {"0190f5d2-7c1e-7a2b-8c3d-4e5f60718200"};
  s.callback_url = "http://cb.test/x";
  s.result_ttl_ms = 60'000;
  auto json = job_spec_to_json(s);
  ASSERT_TRUE(json.ok());
  auto back = job_spec_from_json(*json);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(back->type, s.type);
  EXPECT_EQ(back->queue, s.queue);
  EXPECT_EQ(back->priority, s.priority);
  EXPECT_EQ(back->payload, s.payload);
  EXPECT_EQ(back->max_attempts, s.max_attempts);
  EXPECT_EQ(back->backoff, s.backoff);
  EXPECT_EQ(back->timeout_ms, s.timeout_ms);
  EXPECT_EQ(back->soft_timeout_ms, s.soft_timeout_ms);
  EXPECT_EQ(back->delay_ms, s.delay_ms);
  EXPECT_EQ(back->tags, s.tags);
  EXPECT_EQ(back->depends_on, s.depends_on);
  EXPECT_EQ(back->callback_url, s.callback_url);
  EXPECT_EQ(back->result_ttl_ms, s.result_ttl_ms);
}

TEST(JobSpecToJson, MalformedPayloadIsRefusedByField) {
  JobSpec s;
  s.type = "t";
  s.payload = "{not json";
  auto json = job_spec_to_json(s);
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.error().field(), "payload");
}

}  // namespace
}  // namespace jobq
