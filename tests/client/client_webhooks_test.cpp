// The client's webhook calls against the real jobqd: its settings, and deliveries listed, read,
// retried and removed. The receivers are addresses the sender never reaches: 127.0.0.2 is refused
// by the address policy (dead after one attempt), 127.0.0.1:9 is allow-listed but answers
// nothing, and with an hour's backoff its delivery stays pending.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "client/jobqd_process.h"
#include "jobq/client.h"
#include "wire/delivery_json.h"

namespace jobq {
namespace {

using testing::eventually;
using testing::JobqdProcess;
using testing::TempDir;

constexpr const char* kRefused = "http://127.0.0.2:9/refused";
constexpr const char* kSilent = "http://127.0.0.1:9/silent";

std::string write_config(const TempDir& dir) {
  std::string path = dir.file("jobqd.toml");
  std::ofstream(path) << "webhook_secret = \"test-secret\"\n"
                         "webhook_allow = \"127.0.0.1/32\"\n"
                         "webhook_max_attempts = 5\n"
                         "webhook_backoff_initial_ms = 3600000\n"
                         "webhook_backoff_max_ms = 3600000\n"
                         "webhook_retain_dead_ms = 86400000\n"
                         "[[webhooks]]\n"
                         "url = \"http://127.0.0.1:9/failures\"\n"
                         "queue = \"mail\"\n"
                         "events = [\"job.failed\"]\n";
  return path;
}

ClientOptions options_for(const JobqdProcess& server) {
  ClientOptions o;
  o.url = server.url();
  return o;
}

class ClientWebhooksTest : public ::testing::Test {
 protected:
  // A job cancelled at once: its one delivery is to `callback_url`.
  std::string cancelled_job(const std::string& callback_url) {
    JobSpec s;
    s.type = "hooked";
    s.callback_url = callback_url;
    auto job = client.submit(s);
    EXPECT_TRUE(job.ok()) << job.error().to_string();
    if (!job) return {};
    EXPECT_TRUE(client.cancel(job->job.id).ok());
    return job->job.id;
  }

  // The job's one delivery once `done` holds for it, or nothing at the deadline.
  template <class Done>
  std::optional<Delivery> delivery_of(const std::string& job_id, Done done) {
    DeliveryFilter f;
    f.job_id = job_id;
    std::optional<Delivery> found;
    eventually([&] {
      auto page = client.list_deliveries(f);
      if (page && page->deliveries.size() == 1 && done(page->deliveries[0]))
        found = page->deliveries[0];
      return found.has_value();
    });
    return found;
  }

  std::optional<Delivery> dead_delivery_of(const std::string& job_id) {
    return delivery_of(job_id, [](const Delivery& d) { return d.status == DeliveryStatus::dead; });
  }

  TempDir dir{"jobq-client-webhooks"};
  JobqdProcess server{{"--config", write_config(dir)}};
  Client client{options_for(server)};
};

TEST_F(ClientWebhooksTest, SettingsReadBack) {
  auto s = client.webhooks();
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_TRUE(s->enabled);
  EXPECT_EQ(s->max_attempts, 5);
  EXPECT_EQ(s->dead_retention_ms, 86'400'000);
  WebhookHook hook{"http://127.0.0.1:9/failures", "mail", "", {WebhookEvent::failed}};
  EXPECT_EQ(s->hooks, std::vector<WebhookHook>{hook});
}

TEST_F(ClientWebhooksTest, DeadDeliveryIsReadRetriedAndRemoved) {
  std::string job_id = cancelled_job(kRefused);
  auto dead = dead_delivery_of(job_id);
  ASSERT_TRUE(dead) << server.log();
  EXPECT_EQ(dead->job_id, job_id);
  EXPECT_EQ(dead->url, kRefused);
  EXPECT_EQ(dead->event, "job.cancelled");
  EXPECT_EQ(dead->attempts, 1);
  EXPECT_EQ(dead->last_status, 0);
  EXPECT_NE(dead->last_error.find("refused"), std::string::npos) << dead->last_error;
  EXPECT_EQ(dead->next_at, 0);
  EXPECT_TRUE(dead->token.empty());
  EXPECT_GT(dead->created_at, 0);
  EXPECT_GE(dead->updated_at, dead->created_at);
  EXPECT_TRUE(dead->body.empty()) << "a listed delivery has no body";

  auto got = client.get_delivery(dead->id);
  ASSERT_TRUE(got.ok()) << got.error().to_string();
  boost::json::value body = boost::json::parse(got->body);
  EXPECT_EQ(body.at("event"), "job.cancelled");
  EXPECT_EQ(body.at("job").at("id").as_string(), job_id);
  got->body.clear();
  EXPECT_EQ(*got, *dead);

  auto retried = client.retry_delivery(dead->id);
  ASSERT_TRUE(retried.ok()) << retried.error().to_string();
  EXPECT_EQ(retried->status, DeliveryStatus::pending);
  EXPECT_EQ(retried->attempts, 0);
  EXPECT_FALSE(retried->body.empty());
  // Sent again, and refused again.
  auto again = delivery_of(job_id, [](const Delivery& d) {
    return d.status == DeliveryStatus::dead && d.attempts == 1;
  });
  ASSERT_TRUE(again);
  EXPECT_GE(again->updated_at, retried->updated_at);

  auto removed = client.remove_delivery(dead->id);
  ASSERT_TRUE(removed.ok()) << removed.error().to_string();
  EXPECT_EQ(removed->id, dead->id);
  EXPECT_EQ(client.get_delivery(dead->id).error().code(), "not_found");
  EXPECT_EQ(client.remove_delivery(dead->id).error().status(), 404);
  EXPECT_EQ(client.retry_delivery(dead->id).error().status(), 404);
}

TEST_F(ClientWebhooksTest, PendingDeliveryIsNotRetried) {
  std::string job_id = cancelled_job(kSilent);
  // Its first attempt failed (nobody listens), and the next waits an hour.
  auto pending = delivery_of(job_id, [](const Delivery& d) {
    return d.attempts == 1 && d.token.empty() && !d.last_error.empty();
  });
  ASSERT_TRUE(pending) << server.log();
  EXPECT_EQ(pending->status, DeliveryStatus::pending);
  EXPECT_GT(pending->next_at, pending->updated_at + 30 * 60'000);

  auto retried = client.retry_delivery(pending->id);
  ASSERT_FALSE(retried.ok());
  EXPECT_EQ(retried.error().status(), 409);
  EXPECT_EQ(retried.error().code(), "conflict");

  auto removed = client.remove_delivery(pending->id);
  ASSERT_TRUE(removed.ok()) << removed.error().to_string();
  EXPECT_EQ(removed->status, DeliveryStatus::pending);
  DeliveryFilter f;
  f.job_id = job_id;
  EXPECT_TRUE(client.list_deliveries(f)->deliveries.empty());
}

TEST_F(ClientWebhooksTest, ListFiltersAndPages) {
  std::vector<std::string> jobs;
  for (int i = 0; i < 3; ++i) {
    jobs.push_back(cancelled_job(kRefused));
    ASSERT_TRUE(dead_delivery_of(jobs.back()));
  }
  std::string silent = cancelled_job(kSilent);

  DeliveryFilter f;
  f.status = DeliveryStatus::dead;
  f.limit = 2;
  auto first = client.list_deliveries(f);
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  ASSERT_EQ(first->deliveries.size(), 2u);
  ASSERT_FALSE(first->next_cursor.empty());
  f.cursor = first->next_cursor;
  auto second = client.list_deliveries(f);
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  ASSERT_EQ(second->deliveries.size(), 1u);
  EXPECT_TRUE(second->next_cursor.empty());
  // Newest first.
  EXPECT_EQ(first->deliveries[0].job_id, jobs[2]);
  EXPECT_EQ(first->deliveries[1].job_id, jobs[1]);
  EXPECT_EQ(second->deliveries[0].job_id, jobs[0]);

  DeliveryFilter pending;
  pending.status = DeliveryStatus::pending;
  auto p = client.list_deliveries(pending);
  ASSERT_TRUE(p.ok()) << p.error().to_string();
  ASSERT_EQ(p->deliveries.size(), 1u);
  EXPECT_EQ(p->deliveries[0].job_id, silent);

  DeliveryFilter bad;
  bad.limit = 0;
  auto refused = client.list_deliveries(bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().status(), 400);
  EXPECT_EQ(refused.error().field(), "limit");
}

TEST(ClientWebhooks, OffWithoutASecret) {
  JobqdProcess server;
  Client client(options_for(server));
  auto s = client.webhooks();
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_FALSE(s->enabled);
  EXPECT_TRUE(s->hooks.empty());
  auto page = client.list_deliveries();
  ASSERT_TRUE(page.ok()) << page.error().to_string();
  EXPECT_TRUE(page->deliveries.empty());
  EXPECT_TRUE(page->next_cursor.empty());
  EXPECT_EQ(client.get_delivery("0190f5d2-7c1e-7a2b-8c3d-4e5f60718293").error().status(), 404);
  auto no_id = client.get_delivery("");
  EXPECT_EQ(no_id.error().status(), 0);
  EXPECT_EQ(no_id.error().code(), "invalid_argument");
  EXPECT_EQ(no_id.error().field(), "id");
}

// The JSON of an answer reads back into the delivery it was made from.
TEST(DeliveryJson, RoundTrips) {
  Delivery d;
  d.id = "0190f5d2-7c1e-7a2b-8c3d-4e5f60718293";
  d.job_id = "0190f5d2-7c1e-7a2b-8c3d-4e5f60718294";
  d.url = "http://example.com/hook";
  d.event = "job.failed";
  d.body = R"({"event":"job.failed"})";
  d.attempts = 3;
  d.next_at = 1'700'000'000'123;
  d.created_at = 1'700'000'000'000;
  d.updated_at = 1'700'000'000'100;
  d.last_status = 503;
  d.last_error = "HTTP 503";
  d.token = kClaimedToken;
  EXPECT_EQ(*delivery_from_json(delivery_to_json(d, true)), d);
  Delivery dead = d;
  dead.status = DeliveryStatus::dead;
  dead.next_at = 0;
  dead.token.clear();
  dead.body.clear();
  dead.last_status = 0;
  dead.last_error.clear();
  EXPECT_EQ(*delivery_from_json(delivery_to_json(dead, false)), dead);
  // A body the server could not parse comes as a string, and reads back as that text.
  dead.body = "not json";
  EXPECT_EQ(delivery_from_json(delivery_to_json(dead, true))->body, "not json");

  boost::json::object bad = delivery_to_json(d, false);
  bad["status"] = "delivered";
  EXPECT_EQ(delivery_from_json(bad).error().field(), "status");

  WebhookSettings s{true, {{"http://a.example/h", "", "render", {}}}, 10, 3'600'000};
  EXPECT_EQ(*webhook_settings_from_json(webhook_settings_to_json(s)), s);
  boost::json::value wrong = webhook_settings_to_json(s);
  wrong.at("hooks").as_array()[0].as_object()["events"] = boost::json::array{"job.started"};
  EXPECT_EQ(webhook_settings_from_json(wrong).error().field(), "hooks[0].events");
}

}  // namespace
}  // namespace jobq
