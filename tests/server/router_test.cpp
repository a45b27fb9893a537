#include "server/request/router.h"

#include <gtest/gtest.h>

namespace jobq::server {
namespace {

Handler nothing() {
  return [](const Call&, Responder r) { r(no_content()); };
}

TEST(Router, MatchesLiteralsAndCapturesParams) {
  Router r;
  r.add("POST", "/api/v1/jobs/batch", Access::produce, nothing());
  r.add("GET", "/api/v1/jobs/{id}", Access::read, nothing());
  r.add("POST", "/api/v1/jobs/{id}/cancel", Access::produce, nothing());

  auto batch = r.match("POST", "/api/v1/jobs/batch");
  ASSERT_NE(batch.route, nullptr);
  EXPECT_EQ(batch.route->pattern, "/api/v1/jobs/batch");

  auto get = r.match("GET", "/api/v1/jobs/abc");
  ASSERT_NE(get.route, nullptr);
  ASSERT_EQ(get.params.size(), 1u);
  EXPECT_EQ(get.params[0], (std::pair<std::string, std::string>{"id", "abc"}));

  auto cancel = r.match("POST", "/api/v1/jobs/abc/cancel");
  ASSERT_NE(cancel.route, nullptr);
  EXPECT_EQ(cancel.params[0].second, "abc");
}

TEST(Router, KnownPathWithAnotherMethodIsNotAMissingRoute) {
  Router r;
  r.add("GET", "/api/v1/stats", Access::read, nothing());
  auto put = r.match("PUT", "/api/v1/stats");
  EXPECT_EQ(put.route, nullptr);
  EXPECT_TRUE(put.path_known);
  EXPECT_EQ(put.allow, "GET");
  auto other = r.match("GET", "/api/v1/nothing");
  EXPECT_EQ(other.route, nullptr);
  EXPECT_FALSE(other.path_known);
}

TEST(Router, SegmentCountMustMatch) {
  Router r;
  r.add("GET", "/api/v1/jobs/{id}", Access::read, nothing());
  EXPECT_EQ(r.match("GET", "/api/v1/jobs").route, nullptr);
  EXPECT_EQ(r.match("GET", "/api/v1/jobs/a/b").route, nullptr);
}

TEST(Responder, AnswersOnceAndAnswers500WhenDroppedUnanswered) {
  std::vector<int> statuses;
  auto record = [&](ReplyMaker make) { statuses.push_back(make().status); };
  {
    Responder r(record);
    r(json_reply(201, nullptr));
    r(json_reply(200, nullptr));
    r.build([] { return json_reply(202, nullptr); });
  }
  {
    Responder built(record);
    built.build([] { return json_reply(202, nullptr); });
    built(json_reply(200, nullptr));
  }
  {
    Responder dropped(record);
  }
  EXPECT_EQ(statuses, (std::vector<int>{201, 202, 500}));
}

TEST(ErrorReply, MapsEveryCodeToItsStatusAndNamesTheField) {
  EXPECT_EQ(http_status(ErrorCode::invalid_argument), 400);
  EXPECT_EQ(http_status(ErrorCode::not_found), 404);
  EXPECT_EQ(http_status(ErrorCode::conflict), 409);
  EXPECT_EQ(http_status(ErrorCode::payload_too_large), 413);
  EXPECT_EQ(http_status(ErrorCode::unavailable), 503);
  EXPECT_EQ(http_status(ErrorCode::internal), 500);
  Reply r = error_reply(Error::invalid("priority", "bad"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(
      r.body,
      R"({"error":{"code":"invalid_argument","message":"bad","details":{"field":"priority"}}})");
}

}  // namespace
}  // namespace jobq::server
