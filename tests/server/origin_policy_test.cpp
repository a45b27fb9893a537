#include "server/transport/origin_policy.h"

#include <gtest/gtest.h>

#include "server/transport/text.h"

namespace jobq::server {
namespace {

using Verdict = OriginPolicy::Verdict;

std::string header(const Reply& r, std::string_view name) {
  for (const auto& [n, v] : r.headers)
    if (n == name) return v;
  return {};
}

TEST(OriginPolicy, WithoutKeysAnswersOnlyItsOwnAddressLocalhostAndListedNames) {
  OriginPolicy p;
  p.listen_host = "127.0.0.1";
  p.allowed_hosts = {"jobq.internal"};
  for (std::string_view host : {"127.0.0.1:8080", "localhost:8080", "LOCALHOST", "[::1]:9",
                                "127.0.0.2", "jobq.internal:8080", "JobQ.Internal", ""})
    EXPECT_EQ(p.check_host(host), std::nullopt) << host;
  for (std::string_view host : {"evil.example", "evil.example:8080", "10.0.0.1:8080",
                                "127.0.0.1.evil.example", "localhost.evil.example"}) {
    auto r = p.check_host(host);
    ASSERT_TRUE(r) << host;
    EXPECT_EQ(r->status, 421) << host;
    EXPECT_NE(r->body.find("\"field\":\"Host\""), std::string::npos);
  }
}

TEST(OriginPolicy, OnAWildcardAddressAnyIpLiteralIsItsOwn) {
  OriginPolicy p;
  p.listen_host = "0.0.0.0";
  EXPECT_EQ(p.check_host("10.1.2.3:8080"), std::nullopt);
  EXPECT_EQ(p.check_host("[fe80::1]:8080"), std::nullopt);
  EXPECT_TRUE(p.check_host("jobq.example.com"));
}

TEST(OriginPolicy, WithKeysAnyHostIsAnswered) {
  OriginPolicy p;
  p.keys_configured = true;
  EXPECT_EQ(p.check_host("evil.example"), std::nullopt);
}

TEST(OriginPolicy, JudgesOriginsAgainstTheHostAndTheList) {
  OriginPolicy p;
  p.cors_origins = {"https://app.example.com"};
  EXPECT_EQ(p.judge_origin("", "127.0.0.1:8080"), Verdict::no_origin);
  EXPECT_EQ(p.judge_origin("http://127.0.0.1:8080", "127.0.0.1:8080"), Verdict::same_origin);
  EXPECT_EQ(p.judge_origin("https://jobq.example.com", "jobq.example.com"), Verdict::same_origin);
  EXPECT_EQ(p.judge_origin("https://jobq.example.com", "jobq.example.com:443"),
            Verdict::same_origin);
  EXPECT_EQ(p.judge_origin("http://JOBQ.example.com:80", "jobq.example.com"), Verdict::same_origin);
  EXPECT_EQ(p.judge_origin("https://App.Example.com", "127.0.0.1:8080"), Verdict::listed);
  EXPECT_EQ(p.judge_origin("http://evil.example", "127.0.0.1:8080"), Verdict::foreign);
  EXPECT_EQ(p.judge_origin("http://127.0.0.1:9999", "127.0.0.1:8080"), Verdict::foreign);
  EXPECT_EQ(p.judge_origin("null", "127.0.0.1:8080"), Verdict::foreign);
  EXPECT_EQ(p.judge_origin("https://app.example.com.evil", "x"), Verdict::foreign);
  p.cors_origins = {"*"};
  EXPECT_EQ(p.judge_origin("http://evil.example", "127.0.0.1:8080"), Verdict::listed);
}

TEST(OriginPolicy, PreflightsOfListedOriginsAreAnsweredAndOthersRefused) {
  OriginPolicy p;
  p.cors_origins = {"https://app.example.com"};
  Reply ok = preflight_reply(p, "https://app.example.com", "127.0.0.1:8080");
  EXPECT_EQ(ok.status, 204);
  EXPECT_EQ(header(ok, "Access-Control-Allow-Origin"), "https://app.example.com");
  EXPECT_NE(header(ok, "Access-Control-Allow-Headers").find("Authorization"), std::string::npos);
  EXPECT_NE(header(ok, "Access-Control-Allow-Methods").find("PATCH"), std::string::npos);
  EXPECT_EQ(header(ok, "Vary"), "Origin");
  Reply no = preflight_reply(p, "http://evil.example", "127.0.0.1:8080");
  EXPECT_EQ(no.status, 403);
  EXPECT_EQ(header(no, "Access-Control-Allow-Origin"), "");
  EXPECT_NE(no.body.find("\"field\":\"Origin\""), std::string::npos);
}

TEST(SplitList, TrimsAndDropsEmptyItems) {
  EXPECT_EQ(split_list(" a, b ,,c "), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(split_list(" , ").empty());
}

}  // namespace
}  // namespace jobq::server
