#include "webhooks/delivery.h"

#include <gtest/gtest.h>

#include <chrono>

#include "webhooks/receiver.h"
#include "webhooks/signature.h"

namespace jobq::webhooks {
namespace {

using testing::Receiver;
using testing::ReceiverAnswer;
using namespace std::chrono_literals;

constexpr std::int64_t kT = 1700000000;
constexpr const char* kBody = R"({"id":"j1","status":"completed"})";

AddressPolicy loopback_allowed() {
  return AddressPolicy::from_allow_list("127.0.0.1/32").value();
}

DeliveryRequest request_to(const std::string& url, AddressPolicy policy = loopback_allowed()) {
  DeliveryRequest r;
  r.url = url;
  r.body = kBody;
  r.event = "job.completed";
  r.delivery_id = "d-42";
  r.secret = "s3cret";
  r.timestamp_s = kT;
  r.timeout = 2s;
  r.policy = std::move(policy);
  return r;
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(Delivery, A200ReceiverGetsTheBodyAndHeadersAndTheSignatureVerifies) {
  Receiver receiver;
  auto outcome = deliver(request_to(receiver.url("/hook?q=1")));
  EXPECT_TRUE(outcome.delivered) << outcome.error;
  EXPECT_EQ(outcome.http_status, 200);
  EXPECT_EQ(outcome.error, "");
  EXPECT_EQ(outcome.response_body, "ok");
  auto got = receiver.requests();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].method, "POST");
  EXPECT_EQ(got[0].target, "/hook?q=1");
  EXPECT_EQ(got[0].body, kBody);
  EXPECT_EQ(got[0].headers["content-type"], "application/json");
  EXPECT_EQ(got[0].headers["user-agent"], "jobq-webhooks");
  EXPECT_EQ(got[0].headers["x-jobq-event"], "job.completed");
  EXPECT_EQ(got[0].headers["x-jobq-delivery"], "d-42");
  EXPECT_EQ(got[0].headers["host"], "127.0.0.1:" + std::to_string(receiver.port()));
  EXPECT_TRUE(verify("s3cret", got[0].headers["x-jobq-signature"], got[0].body, kT + 10, 300));
  EXPECT_FALSE(verify("other", got[0].headers["x-jobq-signature"], got[0].body, kT, 300));
}

TEST(Delivery, A500IsNotDeliveredAndWorthRetrying) {
  Receiver receiver({.status = 500, .body = "database down"});
  auto outcome = deliver(request_to(receiver.url()));
  EXPECT_FALSE(outcome.delivered);
  EXPECT_EQ(outcome.http_status, 500);
  EXPECT_TRUE(outcome.retryable);
  EXPECT_TRUE(contains(outcome.error, "HTTP 500: database down")) << outcome.error;
}

TEST(Delivery, A429IsRetriedAndOther4xxAreNot) {
  Receiver busy({.status = 429});
  EXPECT_TRUE(deliver(request_to(busy.url())).retryable);
  Receiver gone({.status = 404});
  auto outcome = deliver(request_to(gone.url()));
  EXPECT_FALSE(outcome.delivered);
  EXPECT_EQ(outcome.http_status, 404);
  EXPECT_FALSE(outcome.retryable);
}

TEST(Delivery, AReceiverThatNeverAnswersTimesOutWithinTheDeadline) {
  Receiver receiver({.never_answer = true});
  auto r = request_to(receiver.url());
  r.timeout = 300ms;
  auto started = std::chrono::steady_clock::now();
  auto outcome = deliver(r);
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_FALSE(outcome.delivered);
  EXPECT_EQ(outcome.http_status, 0);
  EXPECT_TRUE(outcome.retryable);
  EXPECT_TRUE(contains(outcome.error, "no answer: timed out")) << outcome.error;
  EXPECT_EQ(receiver.requests().size(), 1u);  // it did get the request
  EXPECT_LT(took, 10s);                       // bounded: not waiting for the receiver
}

TEST(Delivery, AnOversizedResponseIsCutAtTheCap) {
  Receiver receiver({.body = std::string(1 << 20, 'x')});
  auto r = request_to(receiver.url());
  r.max_response_bytes = 1000;
  auto outcome = deliver(r);
  EXPECT_TRUE(outcome.delivered) << outcome.error;
  EXPECT_EQ(outcome.response_body, std::string(1000, 'x'));
  EXPECT_TRUE(outcome.response_truncated);
  Receiver small({.body = std::string(1000, 'y')});
  outcome = deliver(request_to(small.url()));
  EXPECT_EQ(outcome.response_body, std::string(1000, 'y'));
  EXPECT_FALSE(outcome.response_truncated);
}

TEST(Delivery, ARedirectIsNotFollowed) {
  Receiver target;
  Receiver redirecting({.status = 302, .headers = {{"Location", target.url()}}});
  auto outcome = deliver(request_to(redirecting.url()));
  EXPECT_FALSE(outcome.delivered);
  EXPECT_EQ(outcome.http_status, 302);
  EXPECT_FALSE(outcome.retryable);
  EXPECT_TRUE(contains(outcome.error, "redirects are not followed")) << outcome.error;
  EXPECT_EQ(redirecting.requests().size(), 1u);
  EXPECT_EQ(target.connections(), 0);
}

TEST(Delivery, LoopbackIsRefusedBeforeAnyConnectionUnlessAllowListed) {
  Receiver receiver;
  auto outcome = deliver(request_to(receiver.url(), AddressPolicy()));
  EXPECT_FALSE(outcome.delivered);
  EXPECT_FALSE(outcome.retryable);
  EXPECT_EQ(outcome.http_status, 0);
  EXPECT_TRUE(contains(outcome.error, "refused: 127.0.0.1 (loopback)")) << outcome.error;
  EXPECT_EQ(receiver.connections(), 0);
  EXPECT_TRUE(deliver(request_to(receiver.url())).delivered);  // the same URL, allow-listed
  EXPECT_EQ(receiver.connections(), 1);
}

TEST(Delivery, LocalhostIsRefusedForTheLoopbackAddressesItResolvesTo) {
  Receiver receiver;
  std::string url = "http://localhost:" + std::to_string(receiver.port()) + "/hook";
  auto outcome = deliver(request_to(url, AddressPolicy()));
  EXPECT_FALSE(outcome.delivered);
  EXPECT_FALSE(outcome.retryable);
  EXPECT_TRUE(contains(outcome.error, "localhost resolves to")) << outcome.error;
  EXPECT_TRUE(contains(outcome.error, "(loopback)")) << outcome.error;
  // Allowing 127.0.0.1 alone is not enough when localhost also means ::1: every address counts.
  outcome = deliver(request_to(url));
  if (!outcome.delivered) {
    EXPECT_TRUE(contains(outcome.error, "::1 (loopback)")) << outcome.error;
  }
  EXPECT_EQ(receiver.connections(), outcome.delivered ? 1 : 0);
}

TEST(Delivery, TheMetadataAddressIsRefusedWithoutConnecting) {
  for (std::string url : {"http://169.254.169.254/latest/meta-data/",
                          "http://[::ffff:169.254.169.254]/", "http://2852039166/"}) {
    auto r = request_to(url);
    r.timeout = 200ms;  // were it to connect, it would time out, not be refused
    auto outcome = deliver(r);
    EXPECT_FALSE(outcome.delivered) << url;
    EXPECT_FALSE(outcome.retryable) << url;
    EXPECT_TRUE(contains(outcome.error, "169.254.169.254 (link-local (cloud metadata))"))
        << url << ": " << outcome.error;
  }
}

TEST(Delivery, AnHttpsUrlIsNeverSentInTheClear) {
  Receiver plain;  // speaks http only: the TLS handshake cannot succeed
  for (const std::string& url :
       {"https://127.0.0.1:" + std::to_string(plain.port()) + "/hook",
        "HTTPS://127.0.0.1:" + std::to_string(plain.port()) + "/hook"}) {
    auto outcome = deliver(request_to(url));
    EXPECT_FALSE(outcome.delivered) << url;
    EXPECT_TRUE(outcome.retryable) << url;
    EXPECT_TRUE(contains(outcome.error, "TLS handshake failed")) << outcome.error;
  }
  EXPECT_TRUE(plain.requests().empty()) << "no request reached it as plain http";
}

TEST(Delivery, AnHttpsUrlWhoseCaFileDoesNotLoadIsNotSent) {
  Receiver plain;
  auto r = request_to("https://127.0.0.1:" + std::to_string(plain.port()) + "/hook");
  r.ca_file = "/nonexistent/ca.pem";
  auto outcome = deliver(r);
  EXPECT_FALSE(outcome.delivered);
  EXPECT_TRUE(contains(outcome.error, "cannot load trusted certificates")) << outcome.error;
  EXPECT_TRUE(plain.requests().empty()) << "nothing is sent without the trusted roots";
}

TEST(Delivery, OtherSchemesAndUserinfoAreRefused) {
  Receiver receiver;
  std::string port = std::to_string(receiver.port());
  struct Bad {
    std::string url;
    const char* why;
  };
  for (const auto& b :
       std::vector<Bad>{{"ftp://127.0.0.1:" + port + "/", "only http:// and https:// URLs"},
                        {"http://user:pw@127.0.0.1:" + port + "/", "user name or password"},
                        {"http://user@127.0.0.1:" + port + "/", "user name or password"},
                        {"127.0.0.1:" + port, "not an absolute URL"},
                        {"not a url", "not an absolute URL"},
                        {"http://127.0.0.1:0/", "port must be 1 to 65535"},
                        {"http:///path", "no host"}}) {
    auto outcome = deliver(request_to(b.url));
    EXPECT_FALSE(outcome.delivered) << b.url;
    EXPECT_FALSE(outcome.retryable) << b.url;
    EXPECT_TRUE(contains(outcome.error, b.why)) << b.url << ": " << outcome.error;
  }
  EXPECT_EQ(receiver.connections(), 0);
}

TEST(Delivery, ANetworkErrorIsWorthRetrying) {
  std::string url;
  {
    Receiver gone;
    url = gone.url();
  }  // nothing listens on its port any more
  auto outcome = deliver(request_to(url));
  EXPECT_FALSE(outcome.delivered);
  EXPECT_TRUE(outcome.retryable);
  EXPECT_TRUE(contains(outcome.error, "cannot connect")) << outcome.error;
}

}  // namespace
}  // namespace jobq::webhooks
