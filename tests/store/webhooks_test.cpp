// Webhooks' outbox: what a job's end adds to it, in the same write, and how claims, retries,
// dead-lettering and redelivery move a delivery through it. The sending is src/webhooks/'s and
// is tested in tests/webhooks/.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "store/conformance.h"

namespace jobq::testing {

namespace {

constexpr const char* kReceiver = "http://receiver.example/hook";

EngineOptions hooked() {
  EngineOptions o;
  o.default_backoff = {1000, 2.0, 60'000, 0.0};
  o.webhooks.enabled = true;
  o.webhooks.max_attempts = 3;
  o.webhooks.backoff = {1000, 2.0, 60'000, 0.0};  // exact delays: 1 s, then 2 s
  o.webhooks.hold_ms = 30'000;
  o.webhooks.dead_retention_ms = 86'400'000;
  o.webhooks.hooks = {
      {"http://ops.example/videos", "videos", "", {}},
      {"http://ops.example/failures", "", "", {WebhookEvent::failed}},
      {"http://ops.example/render", "", "render", {WebhookEvent::completed}},
  };
  return o;
}

}  // namespace

class Webhooks : public ::testing::TestWithParam<std::string> {
 protected:
  EngineFixture f{GetParam(), hooked()};
  Engine& engine() { return *f.engine; }

  JobSpec called(std::string type = "t", std::string queue = "default") {
    JobSpec s = f.spec(std::move(type), std::move(queue));
    s.callback_url = kReceiver;
    return s;
  }
  std::vector<Delivery> all(DeliveryFilter filter = {}) {
    auto page = engine().list_deliveries(filter);
    EXPECT_TRUE(page.ok()) << page.error().to_string();
    return page.ok() ? page->deliveries : std::vector<Delivery>{};
  }
  std::vector<Delivery> claim(std::size_t n = 10) {
    auto claimed = engine().claim_deliveries(n);
    EXPECT_TRUE(claimed.ok()) << claimed.error().to_string();
    return claimed.ok() ? *claimed : std::vector<Delivery>{};
  }
  Job complete_one(const JobSpec& spec) {
    Job job = f.submit(spec);
    Job leased = f.lease(1, {spec.queue}).at(0);
    auto done = engine().complete(leased.id, leased.lease_token, "{\"ok\":true}");
    EXPECT_TRUE(done.ok()) << done.error().to_string();
    return done.ok() ? *done : job;
  }
};

TEST_P(Webhooks, ACompletedJobAddsADeliveryOfItsEndToItsCallbackUrl) {
  Job job = complete_one(called());
  auto out = all();
  ASSERT_EQ(out.size(), 1u);
  const Delivery& d = out[0];
  EXPECT_EQ(d.job_id, job.id);
  EXPECT_EQ(d.url, kReceiver);
  EXPECT_EQ(d.event, "job.completed");
  EXPECT_EQ(d.status, DeliveryStatus::pending);
  EXPECT_EQ(d.attempts, 0);
  EXPECT_EQ(d.next_at, f.clock.now());
  auto body = boost::json::parse(d.body).as_object();
  EXPECT_EQ(body.at("id").as_string(), d.id);
  EXPECT_EQ(body.at("event").as_string(), "job.completed");
  const auto& sent = body.at("job").as_object();
  EXPECT_EQ(sent.at("id").as_string(), job.id);
  EXPECT_EQ(sent.at("status").as_string(), "completed");
  EXPECT_EQ(sent.at("result").as_object().at("ok").as_bool(), true);
  EXPECT_FALSE(sent.contains("lease_token")) << "the token is the worker's alone";

  auto got = engine().get_delivery(d.id);
  ASSERT_TRUE(got.ok()) << got.error().to_string();
  EXPECT_EQ(*got, d);
  auto next = engine().next_delivery_at();
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, std::optional<Millis>(f.clock.now()));
  auto counts = engine().count_deliveries();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->pending, 1);
  EXPECT_EQ(counts->dead, 0);
}

TEST_P(Webhooks, FailuresAndCancelsAreDeliveredButRetriesAndRunningJobsAreNot) {
  Job running = f.submit(called());
  Job leased = f.lease_one();
  EXPECT_TRUE(all().empty()) << "a running job has not ended";
  ASSERT_TRUE(engine().fail(leased.id, leased.lease_token, {"flaky"}).ok());
  EXPECT_TRUE(all().empty()) << "an attempt that is retried is not an end";

  Job queued = f.submit(called());
  ASSERT_TRUE(engine().cancel(queued.id).ok());
  f.clock.advance(1000);
  ASSERT_TRUE(engine().tick().ok());
  Job again = f.lease_one();
  ASSERT_EQ(again.id, running.id);
  FailReport fatal{"bad input"};
  fatal.retryable = false;
  ASSERT_TRUE(engine().fail(again.id, again.lease_token, fatal).ok());

  auto out = all();
  std::map<std::string, std::vector<std::string>> by_job;
  for (const auto& d : out) by_job[d.job_id].push_back(d.url + " " + d.event);
  EXPECT_EQ(by_job[queued.id], std::vector<std::string>{std::string(kReceiver) + " job.cancelled"});
  std::vector<std::string> failed = by_job[running.id];
  std::sort(failed.begin(), failed.end());
  EXPECT_EQ(failed, (std::vector<std::string>{"http://ops.example/failures job.failed",
                                              std::string(kReceiver) + " job.failed"}));
}

TEST_P(Webhooks, HooksMatchTheirQueueTypeAndEventsAndAUrlIsCalledOncePerEnd) {
  complete_one(f.spec("render", "videos"));  // the videos hook and the render hook
  JobSpec same = f.spec("t", "videos");
  same.callback_url = "http://ops.example/videos";  // the hook's own URL: one delivery
  complete_one(same);
  complete_one(f.spec("t", "default"));  // no hook wants it
  std::vector<std::string> urls;
  for (const auto& d : all()) urls.push_back(d.url);
  std::sort(urls.begin(), urls.end());
  EXPECT_EQ(urls,
            (std::vector<std::string>{"http://ops.example/render", "http://ops.example/videos",
                                      "http://ops.example/videos"}));
}

TEST_P(Webhooks, ADependentThatFailsWithItsDependencyIsDeliveredToo) {
  Job first = f.submit(f.spec());
  JobSpec child = called();
  child.depends_on = {first.id};
  Job second = f.submit(child);
  Job leased = f.lease_one();
  FailReport fatal{"broken"};
  fatal.retryable = false;
  ASSERT_TRUE(engine().fail(leased.id, leased.lease_token, fatal).ok());
  DeliveryFilter mine;
  mine.job_id = second.id;
  std::vector<std::string> sent;
  for (const auto& d : all(mine)) sent.push_back(d.url + " " + d.event);
  std::sort(sent.begin(), sent.end());
  EXPECT_EQ(sent, (std::vector<std::string>{"http://ops.example/failures job.failed",
                                            std::string(kReceiver) + " job.failed"}));
}

TEST_P(Webhooks, AClaimIsExclusiveUntilItsHoldRunsOutAndAStaleClaimCannotSettle) {
  complete_one(called());
  auto first = claim();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].attempts, 1);
  EXPECT_FALSE(first[0].token.empty());
  EXPECT_EQ(first[0].next_at, f.clock.now() + 30'000);
  EXPECT_TRUE(claim().empty()) << "claimed: nobody else gets it";

  f.clock.advance(30'000);  // its sender died
  auto second = claim();
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].id, first[0].id);
  EXPECT_EQ(second[0].attempts, 2);
  EXPECT_NE(second[0].token, first[0].token);

  Status stale = engine().settle_delivery(first[0], {true});
  EXPECT_EQ(stale.code(), ErrorCode::conflict);
  ASSERT_TRUE(engine().settle_delivery(second[0], {true}).ok());
  EXPECT_TRUE(all().empty()) << "a delivered delivery leaves the outbox";
  EXPECT_EQ(engine().settle_delivery(second[0], {true}).code(), ErrorCode::not_found);
  auto next = engine().next_delivery_at();
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->has_value());
}

TEST_P(Webhooks, AFailedSendIsRetriedAfterBackoffThenDeadLetteredAndCanBeRetriedByHand) {
  complete_one(called());
  Millis start = f.clock.now();
  auto a = claim().at(0);
  ASSERT_TRUE(engine().settle_delivery(a, {false, true, 503, "HTTP 503"}).ok());
  auto pending = engine().get_delivery(a.id);
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(pending->status, DeliveryStatus::pending);
  EXPECT_EQ(pending->next_at, start + 1000);
  EXPECT_EQ(pending->last_status, 503);
  EXPECT_EQ(pending->last_error, "HTTP 503");
  EXPECT_TRUE(pending->token.empty());

  f.clock.advance(999);
  EXPECT_TRUE(claim().empty()) << "not before its backoff";
  f.clock.advance(1);
  auto b = claim().at(0);
  EXPECT_EQ(b.attempts, 2);
  ASSERT_TRUE(engine().settle_delivery(b, {false, true, 0, "connection refused"}).ok());
  EXPECT_EQ(engine().get_delivery(a.id)->next_at, f.clock.now() + 2000);
  f.clock.advance(2000);
  auto c = claim().at(0);
  EXPECT_EQ(c.attempts, 3);
  ASSERT_TRUE(engine().settle_delivery(c, {false, true, 500, "HTTP 500"}).ok());

  DeliveryFilter dead;
  dead.status = DeliveryStatus::dead;
  auto out = all(dead);
  ASSERT_EQ(out.size(), 1u) << "three attempts, the most it gets";
  auto counts = engine().count_deliveries();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->pending, 0);
  EXPECT_EQ(counts->dead, 1);
  EXPECT_EQ(out[0].attempts, 3);
  EXPECT_EQ(out[0].last_error, "HTTP 500");
  EXPECT_FALSE(engine().next_delivery_at()->has_value());
  f.clock.advance(3'600'000);
  EXPECT_TRUE(claim().empty()) << "a dead delivery is never claimed";

  auto again = engine().retry_delivery(a.id);
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_EQ(again->status, DeliveryStatus::pending);
  EXPECT_EQ(again->attempts, 0);
  EXPECT_EQ(engine().retry_delivery(a.id).error().code(), ErrorCode::conflict);
  auto d = claim().at(0);
  EXPECT_EQ(d.attempts, 1);
  ASSERT_TRUE(engine().settle_delivery(d, {true, false, 200, ""}).ok());
  EXPECT_TRUE(all().empty());
}

TEST_P(Webhooks, ASendThatCannotSucceedIsDeadAtOnceAndDeadOnesArePurgedAfterRetention) {
  complete_one(called());
  auto a = claim().at(0);
  ASSERT_TRUE(engine().settle_delivery(a, {false, false, 404, "HTTP 404"}).ok());
  DeliveryFilter dead;
  dead.status = DeliveryStatus::dead;
  ASSERT_EQ(all(dead).size(), 1u);
  DeliveryFilter pending;
  pending.status = DeliveryStatus::pending;
  EXPECT_TRUE(all(pending).empty());

  f.clock.advance(86'400'000 - 1);
  ASSERT_TRUE(engine().tick().ok());
  EXPECT_EQ(all(dead).size(), 1u);
  f.clock.advance(2);
  ASSERT_TRUE(engine().tick().ok());
  EXPECT_TRUE(all(dead).empty()) << "a day after its last attempt";
}

TEST_P(Webhooks, ListsAreNewestFirstByPagesAndRemoveDropsOne) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    complete_one(called());
    f.clock.advance(1);
  }
  DeliveryFilter two;
  two.limit = 2;
  std::vector<std::string> seen;
  for (int page = 0; page < 4; ++page) {
    auto got = engine().list_deliveries(two);
    ASSERT_TRUE(got.ok());
    for (const auto& d : got->deliveries) seen.push_back(d.id);
    if (got->next_cursor.empty()) break;
    two.cursor = got->next_cursor;
  }
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_TRUE(std::is_sorted(seen.rbegin(), seen.rend())) << "newest first";
  auto removed = engine().remove_delivery(seen[0]);
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(removed->id, seen[0]);
  EXPECT_EQ(all().size(), 4u);
  EXPECT_EQ(engine().remove_delivery(seen[0]).error().code(), ErrorCode::not_found);
  EXPECT_EQ(engine().get_delivery(seen[0]).error().code(), ErrorCode::not_found);
  DeliveryFilter big;
  big.limit = 1001;
  EXPECT_EQ(engine().list_deliveries(big).error().field(), "limit");
}

TEST_P(Webhooks, PendingDeliveriesSurviveAReopen) {
  if (!f.durable()) GTEST_SKIP() << "the memory store keeps nothing";
  complete_one(called());
  auto before = all();
  auto claimed = claim();
  ASSERT_EQ(claimed.size(), 1u);
  f.open();
  auto after = all();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].id, before[0].id);
  EXPECT_EQ(after[0].body, before[0].body);
  EXPECT_EQ(after[0].attempts, 1);
  f.clock.advance(30'000);
  EXPECT_EQ(claim().size(), 1u) << "the claim of a sender that died runs out";
}

// On redis a job's end and its deliveries are two scripts: a process killed between them leaves
// the job owing, and the sweep adds its deliveries once the debt is a minute old. Ends that went
// through the engine owe nothing, matched by a hook or not.
TEST_P(Webhooks, AnEndWhoseDeliveriesWereNeverAddedIsMadeGoodByTheSweep) {
  if (GetParam() != "redis") GTEST_SKIP() << "the end and its deliveries commit together";
  complete_one(called());                // paid: one delivery
  complete_one(f.spec("t", "default"));  // paid: no hook wants it
  Job lost = f.submit(f.spec("t", "videos"));
  Job leased = f.lease(1, {"videos"}).at(0);
  // What a process that died after the end and before add_deliveries wrote.
  auto ended = f.store->write([&](WriteGroup& g) {
    return g.complete_many({{leased.id, leased.lease_token, "1"}}, f.clock.now(), Retention{});
  });
  ASSERT_TRUE(ended.ok() && ended->at(0).ok());
  ASSERT_EQ(all().size(), 1u);
  f.clock.advance(59'999);
  ASSERT_TRUE(engine().tick().ok());
  EXPECT_EQ(all().size(), 1u) << "not before a minute: its own write may still pay it";
  f.clock.advance(1);
  ASSERT_TRUE(engine().tick().ok());
  DeliveryFilter mine;
  mine.job_id = lost.id;
  auto made_good = all(mine);
  ASSERT_EQ(made_good.size(), 1u);
  EXPECT_EQ(made_good[0].url, "http://ops.example/videos");
  EXPECT_EQ(made_good[0].event, "job.completed");
  f.clock.advance(3'600'000);
  ASSERT_TRUE(engine().tick().ok());
  EXPECT_EQ(all().size(), 2u) << "each debt is paid once; the ends through the engine owed none";
}

INSTANTIATE_TEST_SUITE_P(Backends, Webhooks, ::testing::Values("memory", "sqlite", "redis"),
                         [](const auto& info) { return info.param; });

TEST(WebhooksOff, ACallbackUrlIsRefusedAndNothingIsAdded) {
  EngineFixture f{"memory"};
  JobSpec s = f.spec();
  s.callback_url = kReceiver;
  auto refused = f.engine->submit(s);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().field(), "callback_url");
  EXPECT_NE(refused.error().message().find("webhooks are off"), std::string::npos);
}

TEST(WebhookUrls, OnlyWellFormedHttpAndHttpsUrlsAreTaken) {
  EngineFixture f{"memory", hooked()};
  for (const char* bad :
       {"ftp://x/", "http://", "http:///path", "http://user:pw@host/", "http://host:0/",
        "http://host:99999/", "http://host/a b", "http://host/#frag", "receiver.example/hook"}) {
    JobSpec s = f.spec();
    s.callback_url = bad;
    auto r = f.engine->submit(s);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().field(), "callback_url") << bad;
  }
  for (const char* good :
       {"http://host/", "https://host:8443/a?b=c", "http://[::1]:9/x", "http://10.0.0.1"}) {
    JobSpec s = f.spec();
    s.callback_url = good;
    EXPECT_TRUE(f.engine->submit(s).ok()) << good;
  }
}

}  // namespace jobq::testing
