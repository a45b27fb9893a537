// Submit input as JSON, and the rules a spec must meet: aliases, times, and a typed error naming
// the field for each bad input (decoding refuses the wrong types, validate_spec the rest).
#include "core/job_spec.h"

#include <gtest/gtest.h>

#include "wire/job_json.h"
#include "wire/job_spec_json.h"
#include "wire/strict_json.h"

namespace jobq {
namespace {

Result<JobSpec> parse(const std::string& text) {
  auto json = parse_json(text);
  if (!json) return json.error();
  return job_spec_from_json(*json);
}

// What the server accepts: decoded, then checked by the engine's rules.
Result<JobSpec> accept(const std::string& text, const SpecLimits& limits = {}) {
  auto spec = parse(text);
  if (!spec) return spec;
  if (Status s = validate_spec(*spec, limits); !s.ok()) return s;
  return spec;
}

void expect_invalid(const Result<JobSpec>& s, const std::string& text, const std::string& field) {
  ASSERT_FALSE(s.ok()) << text;
  EXPECT_EQ(s.error().code(), ErrorCode::invalid_argument) << text;
  EXPECT_EQ(s.error().field(), field) << text << " -> " << s.error().to_string();
}

TEST(JobSpecJson, ReadsEveryField) {
  auto s = parse(R"({"type":"render","queue":"media","priority":"high","payload":{"a":[1,2]},
    "max_attempts":5,"backoff":{"initial_ms":500,"factor":3,"max_ms":9000,"jitter":false},
    "timeout_ms":60000,"soft_timeout_ms":30000,"run_at":"2030-01-01T00:00:00Z","user_id":"u7",
    "tags":["a","b"],"idempotency_key":"k","result_ttl_ms":3600000})");
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(s->type, "render");
  EXPECT_EQ(s->queue, "media");
  EXPECT_EQ(s->priority, 80);
  EXPECT_EQ(s->payload, R"({"a":[1,2]})");
  EXPECT_TRUE(s->payload_is_checked_json) << "the engine need not parse it again";
  EXPECT_FALSE(JobSpec{}.payload_is_checked_json);
  EXPECT_EQ(s->max_attempts, 5);
  EXPECT_EQ(s->backoff, (Backoff{500, 3.0, 9000, false}));
  EXPECT_EQ(s->run_at, 1'893'456'000'000);
  EXPECT_EQ(s->tags, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(s->result_ttl_ms, 3'600'000);
}

TEST(JobSpecJson, JitterIsTrueFalseOrAFraction) {
  EXPECT_EQ(parse(R"({"type":"t","backoff":{"jitter":true}})")->backoff->jitter, 1.0);
  EXPECT_EQ(parse(R"({"type":"t","backoff":{"jitter":false}})")->backoff->jitter, 0.0);
  EXPECT_EQ(parse(R"({"type":"t","backoff":{"jitter":0.1}})")->backoff->jitter, 0.1);
  EXPECT_EQ(parse(R"({"type":"t","backoff":{"jitter":0}})")->backoff->jitter, 0.0);
  for (const char* bad : {"1", "1.5", "-0.1", "\"yes\""})
    expect_invalid(parse(std::string(R"({"type":"t","backoff":{"jitter":)") + bad + "}}"), bad,
                   "backoff.jitter");
}

TEST(JobSpecJson, ANullPayloadIsTheJsonNull) {
  auto s = parse(R"({"type":"t","payload":null})");
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(s->payload, "null");
}

TEST(JobSpecJson, PriorityAliases) {
  for (auto [alias, value] : std::vector<std::pair<std::string, int>>{
           {"low", 10}, {"normal", 50}, {"high", 80}, {"critical", 100}})
    EXPECT_EQ(parse(R"({"type":"t","priority":")" + alias + "\"}")->priority, value);
}

TEST(JobSpecJson, BadInputNamesTheField) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"type":"t","priority":"urgent"})", "priority"},
      {R"({"type":"t","priority":1.5})", "priority"},
      {R"({"type":"t","priority":null})", "priority"},
      {R"({"type":"t","queue":null})", "queue"},
      {R"({"type":"t","run_at":"tomorrow"})", "run_at"},
      {R"({"type":"t","tags":"x"})", "tags"},
      {R"({"type":"t","colour":"red"})", "colour"},
      {R"({"type":"t","backoff":{"speed":1}})", "backoff.speed"},
      {R"([1,2])", "body"},
      {R"({"type":"t",)", "body"},
  };
  for (const auto& [text, field] : cases) expect_invalid(parse(text), text, field);
}

TEST(JobSpecRules, DecodingLeavesTheRulesToValidateSpec) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"type":"t","priority":101})", "priority"},
      {R"({"type":"t","priority":1e12})", "priority"},
      {R"({"type":"t","max_attempts":-1e12})", "max_attempts"},
      {R"({"type":"t","delay_ms":-5})", "delay_ms"},
      {R"({"type":"t","timeout_ms":1000,"soft_timeout_ms":5000})", "soft_timeout_ms"},
      {R"({"type":"t","delay_ms":5,"run_at":0})", "delay_ms"},
      {R"({"type":"t","backoff":{"factor":0}})", "backoff"},
      {R"({"type":"t","result_ttl_ms":-1})", "result_ttl_ms"},
      {R"({"type":"t","result_ttl_ms":1e15})", "result_ttl_ms"},
      {R"({"type":"t","callback_url":"ftp://x"})", "callback_url"},
      {R"({"type":"t","callback_url":"https://x.test/hook"})", "callback_url"},  // no webhooks yet
      {R"({"type":"t","depends_on":["nope"]})", "depends_on"},
      {R"({"queue":"q"})", "type"},
  };
  for (const auto& [text, field] : cases) {
    ASSERT_TRUE(parse(text).ok()) << text << ": the wire form is fine";
    expect_invalid(accept(text), text, field);
  }
}

TEST(JobSpecRules, OversizedPayloadIsPayloadTooLarge) {
  SpecLimits limits;
  limits.max_payload_bytes = 100;
  auto s = accept(R"({"type":"t","payload":")" + std::string(200, 'x') + "\"}", limits);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::payload_too_large);
}

TEST(JobSpecJson, NestingBeyondTheLimitIsRefused) {
  std::string deep = std::string(100, '[') + std::string(100, ']');
  auto json = parse_json(deep, "payload", 64);
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.error().field(), "payload");
}

TEST(JobJson, UsesTheApiNamesAndHidesTheTokenUnlessAsked) {
  Job j;
  j.id = "01890000-0000-7000-8000-000000000000";
  j.type = "t";
  j.payload = R"({"x":1})";
  j.lease_token = "secret";
  j.created_at = 1'700'000'000'123;
  j.errors.push_back({"boom", "tb", 1, 1'700'000'000'000});
  auto o = job_to_json(j);
  EXPECT_EQ(o.at("status").as_string(), "queued");
  EXPECT_EQ(o.at("payload").as_object().at("x").as_int64(), 1);
  EXPECT_EQ(o.at("created_at").as_string(), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(o.at("error").as_object().at("message").as_string(), "boom");
  EXPECT_FALSE(o.contains("lease_token"));
  EXPECT_EQ(job_to_json(j, true).at("lease_token").as_string(), "secret");
}

}  // namespace
}  // namespace jobq
