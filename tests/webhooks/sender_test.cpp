// The sender over a real engine and a real receiver on 127.0.0.1: what a receiver gets when a
// job ends, the retries a failing receiver sees, and what the address policy stops.
#include "webhooks/sender.h"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "support/engine_fixture.h"
#include "webhooks/receiver.h"
#include "webhooks/signature.h"

namespace jobq::webhooks {
namespace {

using jobq::testing::EngineFixture;
using testing::Receiver;
using testing::ReceiverAnswer;
using namespace std::chrono_literals;

constexpr const char* kSecret = "whsec-test";

EngineOptions hooked() {
  EngineOptions o;
  o.webhooks.enabled = true;
  o.webhooks.max_attempts = 3;
  o.webhooks.backoff = {1000, 2.0, 60'000, 0.0};
  return o;
}

SenderOptions sender_options(std::string allow = "127.0.0.1/32") {
  SenderOptions o;
  o.secret = kSecret;
  o.policy = AddressPolicy::from_allow_list(allow).value();
  o.timeout = 5s;
  o.threads = 2;
  o.idle_poll = 50ms;
  return o;
}

class SenderTest : public ::testing::Test {
 protected:
  EngineFixture f{"sqlite", hooked()};
  std::mutex log_mutex;
  std::vector<std::string> logged;  // from the sender's threads too
  std::unique_ptr<Sender> sender(SenderOptions o = sender_options()) {
    return std::make_unique<Sender>(*f.engine, f.bus, std::move(o), [this](const std::string& w) {
      std::lock_guard lock(log_mutex);
      logged.push_back(w);
    });
  }
  Job end_job(const std::string& url) {
    JobSpec s = f.spec();
    s.callback_url = url;
    f.submit(s);
    Job leased = f.lease_one();
    auto done = f.engine->complete(leased.id, leased.lease_token, "42");
    EXPECT_TRUE(done.ok()) << done.error().to_string();
    return done.ok() ? *done : leased;
  }
  std::vector<Delivery> outbox() {
    auto page = f.engine->list_deliveries({});
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->deliveries : std::vector<Delivery>{};
  }
};

TEST_F(SenderTest, AReceiverGetsTheJobsEndSignedAndTheDeliveryLeavesTheOutbox) {
  Receiver receiver;
  Job job = end_job(receiver.url("/done?x=1"));
  std::string id = outbox().at(0).id;
  auto s = sender();
  auto sent = s->send_due();
  ASSERT_TRUE(sent.ok()) << sent.error().to_string();
  EXPECT_EQ(*sent, 1u);

  auto got = receiver.requests();
  ASSERT_EQ(got.size(), 1u);
  const auto& r = got[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/done?x=1");
  EXPECT_EQ(r.headers.at("x-jobq-event"), "job.completed");
  EXPECT_EQ(r.headers.at("x-jobq-delivery"), id);
  EXPECT_TRUE(verify(kSecret, r.headers.at("x-jobq-signature"), r.body, f.clock.now() / 1000, 300))
      << r.headers.at("x-jobq-signature");
  EXPECT_FALSE(verify("another secret", r.headers.at("x-jobq-signature"), r.body,
                      f.clock.now() / 1000, 300));
  EXPECT_NE(r.body.find("\"id\":\"" + job.id + "\""), std::string::npos) << r.body;
  EXPECT_TRUE(outbox().empty());
  EXPECT_TRUE(logged.empty());
}

TEST_F(SenderTest, AFailingReceiverSeesEachRetryOfOneDeliveryUntilItIsDead) {
  Receiver receiver(ReceiverAnswer{.status = 500, .body = "down"});
  end_job(receiver.url());
  auto s = sender();
  ASSERT_EQ(s->send_due().value(), 1u);
  ASSERT_EQ(s->send_due().value(), 0u) << "not before its backoff";
  f.clock.advance(1000);
  ASSERT_EQ(s->send_due().value(), 1u);
  f.clock.advance(2000);
  ASSERT_EQ(s->send_due().value(), 1u);
  f.clock.advance(3'600'000);
  ASSERT_EQ(s->send_due().value(), 0u) << "dead after three attempts";

  auto got = receiver.requests();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].headers.at("x-jobq-delivery"), got[2].headers.at("x-jobq-delivery"));
  auto dead = outbox().at(0);
  EXPECT_EQ(dead.status, DeliveryStatus::dead);
  EXPECT_EQ(dead.attempts, 3);
  EXPECT_EQ(dead.last_status, 500);
  EXPECT_EQ(logged.size(), 3u);
}

TEST_F(SenderTest, ALoopbackReceiverIsRefusedWithoutTheAllowListAndNeverConnected) {
  Receiver receiver;
  end_job(receiver.url());
  auto s = sender(sender_options(""));
  ASSERT_EQ(s->send_due().value(), 1u);
  EXPECT_EQ(receiver.connections(), 0);
  auto dead = outbox().at(0);
  EXPECT_EQ(dead.status, DeliveryStatus::dead) << "refused for good: not retried";
  EXPECT_NE(dead.last_error.find("loopback"), std::string::npos) << dead.last_error;
}

TEST_F(SenderTest, RunningSendersDeliverAsJobsEnd) {
  Receiver receiver;
  auto s = sender();
  s->start();
  for (int i = 0; i < 5; ++i) end_job(receiver.url());
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (receiver.requests().size() < 5 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(receiver.requests().size(), 5u);
  while (!outbox().empty() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(outbox().empty());
  s->stop();
}

}  // namespace
}  // namespace jobq::webhooks
