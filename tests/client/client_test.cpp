// The C++ client against the real jobqd: every call, its typed errors, long polls, the WebSocket
// streams, and connection reuse.
#include "jobq/client.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <future>
#include <mutex>
#include <thread>

#include "client/jobqd_process.h"

namespace jobq {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::JobqdProcess;

ClientOptions options_for(const JobqdProcess& server, std::string key = {}) {
  ClientOptions o;
  o.url = server.url();
  o.api_key = std::move(key);
  return o;
}

JobSpec spec(std::string type, std::string payload = "{}") {
  JobSpec s;
  s.type = std::move(type);
  s.payload = std::move(payload);
  return s;
}

LeaseRequest lease_for(const std::string& type) {
  LeaseRequest r;
  r.worker_id = "w-test";
  r.types = {type};
  return r;
}

class ClientTest : public ::testing::Test {
 protected:
  JobqdProcess server;
  Client client{options_for(server)};
};

TEST_F(ClientTest, SubmitGetListCancelRetryRemove) {
  JobSpec s = spec("render", R"({"frame":7})");
  s.priority = 80;
  s.tags = {"t1"};
  auto submitted = client.submit(s);
  ASSERT_TRUE(submitted.ok()) << submitted.error().to_string();
  EXPECT_TRUE(submitted->created);
  const Job& job = submitted->job;
  EXPECT_EQ(job.status, JobStatus::queued);
  EXPECT_EQ(job.priority, 80);
  EXPECT_EQ(job.payload, R"({"frame":7})");

  auto got = client.get(job.id);
  ASSERT_TRUE(got.ok()) << got.error().to_string();
  EXPECT_EQ(got->id, job.id);
  EXPECT_EQ(got->tags, std::vector<std::string>{"t1"});

  JobFilter f;
  f.type = "render";
  auto page = client.list(f);
  ASSERT_TRUE(page.ok()) << page.error().to_string();
  ASSERT_EQ(page->jobs.size(), 1u);
  EXPECT_EQ(page->jobs[0].id, job.id);

  auto cancelled = client.cancel(job.id);
  ASSERT_TRUE(cancelled.ok()) << cancelled.error().to_string();
  EXPECT_EQ(cancelled->status, JobStatus::cancelled);

  auto retried = client.retry(job.id);
  ASSERT_TRUE(retried.ok()) << retried.error().to_string();
  EXPECT_EQ(retried->status, JobStatus::queued);

  auto updated = client.update(job.id, 10, std::nullopt);
  ASSERT_TRUE(updated.ok()) << updated.error().to_string();
  EXPECT_EQ(updated->priority, 10);

  // DELETE cancels an active job and removes a finished one.
  auto first = client.remove(job.id);
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  ASSERT_TRUE(first->has_value());
  EXPECT_EQ((*first)->status, JobStatus::cancelled);
  auto second = client.remove(job.id);
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  EXPECT_FALSE(second->has_value());
  EXPECT_EQ(client.get(job.id).error().status(), 404);
}

TEST_F(ClientTest, IdempotencyKeyReturnsTheLiveJob) {
  JobSpec s = spec("once");
  s.idempotency_key = "k-1";
  auto a = client.submit(s);
  auto b = client.submit(s);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(a->created);
  EXPECT_FALSE(b->created);
  EXPECT_EQ(a->job.id, b->job.id);
}

TEST_F(ClientTest, SubmitBatchIsAllOrNothing) {
  auto ok = client.submit_batch({spec("a"), spec("b"), spec("c")});
  ASSERT_TRUE(ok.ok()) << ok.error().to_string();
  ASSERT_EQ(ok->size(), 3u);
  EXPECT_EQ((*ok)[2].type, "c");

  auto bad = client.submit_batch({spec("d"), spec("no spaces allowed")});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().status(), 400);
  EXPECT_EQ(bad.error().code(), "invalid_argument");
  EXPECT_EQ(bad.error().field(), "jobs[1].type");
  JobFilter f;
  f.type = "d";
  EXPECT_TRUE(client.list(f)->jobs.empty());
}

TEST_F(ClientTest, ErrorsAreTyped) {
  auto missing = client.get("0190f5d2-7c1e-7a2b-8c3d-4e5f60718293");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().status(), 404);
  EXPECT_EQ(missing.error().code(), "not_found");
  EXPECT_EQ(missing.error().error_code(), ErrorCode::not_found);

  auto queued = client.submit(spec("t"));
  ASSERT_TRUE(queued.ok());
  auto conflict = client.retry(queued->job.id);  // a queued job cannot be retried
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.error().status(), 409);
  EXPECT_EQ(conflict.error().code(), "conflict");

  JobSpec bad = spec("t");
  bad.priority = 101;
  auto invalid = client.submit(bad);
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error().status(), 400);
  EXPECT_EQ(invalid.error().field(), "priority");
  EXPECT_FALSE(invalid.error().message().empty());

  // A payload that is not JSON is refused before it is sent.
  auto local = client.submit(spec("t", "{oops"));
  ASSERT_FALSE(local.ok());
  EXPECT_EQ(local.error().status(), 0);
  EXPECT_EQ(local.error().field(), "payload");

  auto route = client.call("GET", "/api/v1/nothing-here");
  ASSERT_FALSE(route.ok());
  EXPECT_EQ(route.error().status(), 404);
  EXPECT_EQ(route.error().code(), "route_not_found");
}

TEST(ClientAuth, UnauthorizedAndForbiddenAreTyped) {
  JobqdProcess server({"--api-keys", "adm-key:admin,view-key:viewer"});
  Client anonymous(options_for(server));
  auto none = anonymous.submit(spec("t"));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().status(), 401);
  EXPECT_EQ(none.error().code(), "unauthorized");

  Client viewer(options_for(server, "view-key"));
  auto forbidden = viewer.submit(spec("t"));
  ASSERT_FALSE(forbidden.ok());
  EXPECT_EQ(forbidden.error().status(), 403);
  EXPECT_EQ(forbidden.error().code(), "forbidden");
  EXPECT_TRUE(viewer.list().ok());

  Client admin(options_for(server, "adm-key"));
  auto job = admin.submit(spec("t"));
  ASSERT_TRUE(job.ok()) << job.error().to_string();
  // The key goes on the WebSocket upgrade too.
  int seen = 0;
  ApiStatus watched = admin.watch(job->job.id, [&](const JobEvent& e) {
    ++seen;
    EXPECT_EQ(e.event, "snapshot");
    return false;
  });
  EXPECT_TRUE(watched.ok()) << watched.to_string();
  EXPECT_EQ(seen, 1);
  ApiStatus refused = anonymous.watch(job->job.id, [](const JobEvent&) { return true; });
  EXPECT_EQ(refused.status(), 401);
}

TEST_F(ClientTest, ListPagesWithACursor) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(client.submit(spec("paged"))->job.id);
  JobFilter f;
  f.type = "paged";
  ListOptions o;
  o.limit = 2;
  o.descending = false;
  std::vector<std::string> seen;
  for (int page = 0; page < 5; ++page) {
    auto p = client.list(f, o);
    ASSERT_TRUE(p.ok()) << p.error().to_string();
    for (const Job& j : p->jobs) seen.push_back(j.id);
    if (p->next_cursor.empty()) break;
    o.cursor = p->next_cursor;
  }
  EXPECT_EQ(seen, ids);
}

TEST_F(ClientTest, WaitReturnsWhenTheJobFinishes) {
  auto job = client.submit(spec("waited"))->job;
  auto still = client.wait(job.id, 50ms);
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(still->status, JobStatus::queued);

  auto waiting = std::async(std::launch::async, [&] { return client.wait(job.id, 30s); });
  auto leased = client.lease(lease_for("waited"), 5s);
  ASSERT_TRUE(leased.ok()) << leased.error().to_string();
  ASSERT_EQ(leased->size(), 1u);
  ASSERT_TRUE(client.complete(job.id, (*leased)[0].lease_token, R"({"n":1})").ok());
  auto done = waiting.get();
  ASSERT_TRUE(done.ok()) << done.error().to_string();
  EXPECT_EQ(done->status, JobStatus::completed);
  EXPECT_EQ(done->result, R"({"n":1})");
}

TEST_F(ClientTest, WatchSeesTheWholeLifeOfAJob) {
  auto job = client.submit(spec("watched"))->job;
  std::mutex m;
  std::vector<JobEvent> events;
  auto watching = std::async(std::launch::async, [&] {
    return client.watch(job.id, [&](const JobEvent& e) {
      std::lock_guard lock(m);
      events.push_back(e);
      return true;
    });
  });
  auto count = [&] {
    std::lock_guard lock(m);
    return events.size();
  };
  ASSERT_TRUE(eventually([&] { return count() >= 1; }));

  auto leased = client.lease(lease_for("watched"), 5s);
  ASSERT_TRUE(leased.ok() && leased->size() == 1);
  const std::string token = (*leased)[0].lease_token;
  ASSERT_TRUE(eventually([&] { return count() >= 2; }));
  Progress p;
  p.progress = 40;
  p.stage = "rendering";
  ASSERT_TRUE(client.heartbeat(job.id, token, p).ok());
  ASSERT_TRUE(eventually([&] { return count() >= 3; }));
  ASSERT_TRUE(client.complete(job.id, token, R"("done")").ok());

  ASSERT_EQ(watching.wait_for(10s), std::future_status::ready);
  ApiStatus end = watching.get();
  EXPECT_TRUE(end.ok()) << end.to_string();
  std::vector<std::string> names;
  for (const auto& e : events) names.push_back(e.event);
  EXPECT_EQ(names, (std::vector<std::string>{"snapshot", "started", "progress", "completed"}));
  EXPECT_EQ(events[0].job.status, JobStatus::queued);
  EXPECT_EQ(events[2].job.stage, "rendering");
  EXPECT_EQ(events[2].job.progress, 40);
  EXPECT_EQ(events[3].job.status, JobStatus::completed);
  EXPECT_EQ(events[3].job.result, R"("done")");
  EXPECT_NE(events[3].text.find("\"completed\""), std::string::npos);
}

TEST_F(ClientTest, EventsStreamIsFilteredAndStops) {
  std::mutex m;
  std::vector<JobEvent> events;
  std::stop_source stop;
  EventFilter filter;
  filter.types = {"wanted"};
  filter.events = {"submitted"};
  auto streaming = std::async(std::launch::async, [&] {
    return client.events(
        filter,
        [&](const JobEvent& e) {
          std::lock_guard lock(m);
          events.push_back(e);
          return true;
        },
        stop.get_token());
  });
  // The stream counts from its opening, which this side cannot see: submit until one arrives.
  std::string wanted_id;
  ASSERT_TRUE(eventually([&] {
    client.submit(spec("unwanted"));
    wanted_id = client.submit(spec("wanted"))->job.id;
    std::lock_guard lock(m);
    return !events.empty();
  }));
  stop.request_stop();
  ASSERT_EQ(streaming.wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(streaming.get().ok());
  for (const auto& e : events) {
    EXPECT_EQ(e.job.type, "wanted");
    EXPECT_EQ(e.event, "submitted");
  }
}

TEST_F(ClientTest, WorkerCalls) {
  auto job = client.submit(spec("work"))->job;
  auto leased = client.lease(lease_for("work"), 5s);
  ASSERT_TRUE(leased.ok()) << leased.error().to_string();
  ASSERT_EQ(leased->size(), 1u);
  const Job& mine = (*leased)[0];
  EXPECT_EQ(mine.id, job.id);
  EXPECT_EQ(mine.status, JobStatus::running);
  EXPECT_FALSE(mine.lease_token.empty());

  Progress p;
  p.progress = 25;
  p.message = "a quarter";
  p.processed_items = 1;
  p.total_items = 4;
  auto beat = client.heartbeat(job.id, mine.lease_token, p);
  ASSERT_TRUE(beat.ok()) << beat.error().to_string();
  EXPECT_FALSE(beat->cancel_requested);
  EXPECT_GT(beat->lease_expires_at, 0);
  EXPECT_EQ(client.get(job.id)->progress_message, "a quarter");

  auto stale = client.complete(job.id, "not-the-token");
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().status(), 409);

  auto failed = client.fail(job.id, mine.lease_token, "flaky", "trace", true);
  ASSERT_TRUE(failed.ok()) << failed.error().to_string();
  EXPECT_TRUE(failed->status == JobStatus::scheduled || failed->status == JobStatus::queued);
  EXPECT_EQ(failed->error()->message, "flaky");

  // An empty lease comes back when the wait is over.
  auto none = client.lease(lease_for("nothing-of-this-type"), 100ms);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(ClientTest, AckAnswersEachItem) {
  client.submit(spec("acked"));
  client.submit(spec("acked"));
  LeaseRequest r = lease_for("acked");
  r.max_jobs = 2;
  auto leased = client.lease(r, 5s);
  ASSERT_TRUE(leased.ok() && leased->size() == 2);
  std::vector<AckItem> items(3);
  items[0].id = (*leased)[0].id;
  items[0].lease_token = (*leased)[0].lease_token;
  items[0].error = "no good";
  items[0].retryable = false;
  items[1].id = (*leased)[1].id;
  items[1].lease_token = (*leased)[1].lease_token;
  items[1].result_json = "[1,2]";
  items[2].id = (*leased)[1].id;
  items[2].lease_token = "stale";
  auto acked = client.ack(items);
  ASSERT_TRUE(acked.ok()) << acked.error().to_string();
  ASSERT_EQ(acked->size(), 3u);
  ASSERT_TRUE((*acked)[0].ok());
  EXPECT_EQ((*acked)[0]->status, JobStatus::failed);
  ASSERT_TRUE((*acked)[1].ok());
  EXPECT_EQ((*acked)[1]->result, "[1,2]");
  ASSERT_FALSE((*acked)[2].ok());
  EXPECT_EQ((*acked)[2].error().code(), "conflict");
}

TEST_F(ClientTest, AckAndLeaseReportsAndLeasesInOneCall) {
  for (int i = 0; i < 3; ++i) client.submit(spec("paired"));
  LeaseRequest r = lease_for("paired");
  auto first = client.lease(r, 5s);
  ASSERT_TRUE(first.ok() && first->size() == 1);
  std::vector<AckItem> items(2);
  items[0].id = (*first)[0].id;
  items[0].lease_token = "stale";
  items[1].id = (*first)[0].id;
  items[1].lease_token = (*first)[0].lease_token;
  items[1].result_json = "7";
  r.max_jobs = 5;
  auto answer = client.ack_and_lease(items, r);
  ASSERT_TRUE(answer.ok()) << answer.error().to_string();
  ASSERT_EQ(answer->results.size(), 2u);
  EXPECT_EQ(answer->results[0].code(), "conflict");
  EXPECT_TRUE(answer->results[1].ok());
  EXPECT_TRUE(answer->lease_error.ok());
  ASSERT_EQ(answer->jobs.size(), 2u) << "the two still queued";
  EXPECT_EQ(client.get((*first)[0].id)->result, "7");
  for (const Job& j : answer->jobs) {
    EXPECT_EQ(j.status, JobStatus::running);
    auto released = client.release(j.id, j.lease_token);
    ASSERT_TRUE(released.ok()) << released.error().to_string();
    EXPECT_EQ(released->status, JobStatus::queued);
    EXPECT_EQ(released->attempt, 0) << "a release does not count the attempt";
  }
  EXPECT_EQ(client.release(answer->jobs[0].id, answer->jobs[0].lease_token).error().code(),
            "conflict");
}

TEST_F(ClientTest, ScheduleCalls) {
  ScheduleSpec spec;
  spec.name = "nightly";
  spec.cron = "30 2 * * *";
  spec.timezone = "Europe/Berlin";
  spec.job = jobq::spec("report");
  spec.job.payload = R"({"kind":"daily"})";
  spec.overlap = Overlap::skip;
  auto created = client.create_schedule(spec);
  ASSERT_TRUE(created.ok()) << created.error().message();
  EXPECT_EQ(created->spec.cron, "30 2 * * *");
  EXPECT_EQ(created->spec.overlap, Overlap::skip);
  EXPECT_EQ(created->spec.job.payload, R"({"kind":"daily"})");
  EXPECT_GT(created->next_run_at, 0);
  EXPECT_EQ(client.create_schedule(spec).error().code(), "conflict");

  auto all = client.schedules();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ(all->front().spec.name, "nightly");
  EXPECT_TRUE(client.pause_schedule("nightly")->spec.paused);
  EXPECT_FALSE(client.resume_schedule("nightly")->spec.paused);
  auto changed = client.update_schedule("nightly", {{"misfire", "run_all"}});
  ASSERT_TRUE(changed.ok()) << changed.error().message();
  EXPECT_EQ(changed->spec.misfire, Misfire::run_all);
  auto run = client.trigger_schedule("nightly");
  ASSERT_TRUE(run.ok()) << run.error().message();
  EXPECT_EQ(run->tags, std::vector<std::string>{"schedule:nightly"});
  EXPECT_EQ(client.delete_schedule("nightly")->spec.name, "nightly");
  EXPECT_EQ(client.schedule("nightly").error().code(), "not_found");
  auto bad = client.create_schedule([&] {
    ScheduleSpec b = spec;
    b.cron = "61 * * * *";
    return b;
  }());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field(), "cron");
}

TEST_F(ClientTest, LimitCalls) {
  auto none = client.limits();
  ASSERT_TRUE(none.ok()) << none.error().to_string();
  EXPECT_TRUE(none->empty());
  auto unset = client.limits(LimitScope::queue, "mail");
  ASSERT_TRUE(unset.ok()) << unset.error().to_string();
  EXPECT_EQ(unset->scope, LimitScope::queue);
  EXPECT_EQ(unset->name, "mail");
  EXPECT_TRUE(unset->limits.none());

  Limits capped{1, {}};
  auto set = client.set_limits(LimitScope::type, "render", capped);
  ASSERT_TRUE(set.ok()) << set.error().to_string();
  EXPECT_EQ(set->scope, LimitScope::type);
  EXPECT_EQ(set->limits, capped);
  Limits rated{5, {10, 60'000}};
  ASSERT_EQ(client.set_limits(LimitScope::queue, "mail", rated)->limits, rated);
  EXPECT_EQ(client.limits(LimitScope::queue, "mail")->limits, rated);
  auto all = client.limits();
  ASSERT_TRUE(all.ok()) << all.error().to_string();
  ASSERT_EQ(all->size(), 2u);
  for (const LimitSetting& s : *all)
    EXPECT_EQ(s.limits, s.scope == LimitScope::queue ? rated : capped) << s.name;

  // A PUT replaces the whole setting: the part left out is none.
  Limits only_rate{0, {10, 60'000}};
  EXPECT_EQ(client.set_limits(LimitScope::queue, "mail", only_rate)->limits, only_rate);
  // Each queue in GET /queues carries its limits, a queue with no jobs too.
  auto queues = client.queues();
  ASSERT_TRUE(queues.ok());
  const boost::json::value* mail = nullptr;
  for (const auto& q : queues->at("queues").as_array())
    if (q.at("name") == "mail") mail = &q;
  ASSERT_NE(mail, nullptr);
  EXPECT_EQ(mail->at("limits").at("max_running"), 0);
  EXPECT_EQ(mail->at("limits").at("starts").at("count"), 10);

  // The type's cap holds the second job back.
  ASSERT_TRUE(client.submit(spec("render")).ok());
  ASSERT_TRUE(client.submit(spec("render")).ok());
  LeaseRequest two = lease_for("render");
  two.max_jobs = 2;
  auto leased = client.lease(two, 0ms);
  ASSERT_TRUE(leased.ok()) << leased.error().to_string();
  EXPECT_EQ(leased->size(), 1u);

  auto bad = client.set_limits(LimitScope::queue, "mail", Limits{-1, {}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().status(), 400);
  EXPECT_EQ(bad.error().field(), "max_running");
  // A period without a count is sent as given, and refused.
  bad = client.set_limits(LimitScope::queue, "mail", Limits{0, {0, 1'000}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field(), "starts.count");
  bad = client.set_limits(LimitScope::type, "no such type", capped);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), "invalid_argument");
  EXPECT_EQ(bad.error().field(), "type");

  auto cleared = client.clear_limits(LimitScope::type, "render");
  ASSERT_TRUE(cleared.ok()) << cleared.error().to_string();
  EXPECT_TRUE(cleared->limits.none());
  ASSERT_TRUE(client.clear_limits(LimitScope::queue, "mail").ok());
  EXPECT_TRUE(client.limits()->empty());
}

TEST_F(ClientTest, OperatorCalls) {
  ASSERT_TRUE(client.submit(spec("op"))->created);
  ASSERT_TRUE(client.pause_queue("default").ok());
  auto queues = client.queues();
  ASSERT_TRUE(queues.ok());
  bool paused = false;
  for (const auto& q : queues->at("queues").as_array())
    if (q.at("name") == "default") paused = q.at("paused").as_bool();
  EXPECT_TRUE(paused);
  EXPECT_TRUE(client.lease(lease_for("op"), 0ms)->empty());
  ASSERT_TRUE(client.resume_queue("default").ok());

  WorkerBeat b;
  b.id = "w-op";
  b.types = {"op"};
  b.concurrency = 2;
  auto orders = client.beat(b);
  ASSERT_TRUE(orders.ok()) << orders.error().to_string();
  EXPECT_EQ(orders->command, WorkerCommand::run);
  EXPECT_EQ(orders->concurrency, 2);
  EXPECT_EQ(client.workers()->at("workers").as_array().size(), 1u);
  ASSERT_TRUE(client.scale_worker("w-op", 5).ok());
  EXPECT_EQ(client.beat(b)->concurrency, 5);
  ASSERT_TRUE(client.quiet_worker("w-op").ok());
  EXPECT_EQ(client.beat(b)->command, WorkerCommand::quiet);
  ASSERT_TRUE(client.stop_worker("w-op").ok());
  EXPECT_EQ(client.beat(b)->command, WorkerCommand::stop);
  EXPECT_EQ(client.stop_worker("w-nobody").error().status(), 404);

  auto leased = client.lease(lease_for("op"), 5s);
  ASSERT_TRUE(leased.ok() && leased->size() == 1);
  const Job& j = (*leased)[0];
  ASSERT_EQ(client.fail(j.id, j.lease_token, "hopeless", "", false)->status, JobStatus::failed);
  auto dead = client.dead_letters();
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->jobs.size(), 1u);
  EXPECT_EQ(dead->jobs[0].id, j.id);
  auto again = client.retry_dead_letter(j.id);
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_EQ(again->status, JobStatus::queued);
  EXPECT_EQ(client.retry_dead_letter(j.id).error().status(), 409);

  auto l2 = client.lease(lease_for("op"), 5s);
  ASSERT_TRUE(l2.ok() && l2->size() == 1);
  client.fail(j.id, (*l2)[0].lease_token, "hopeless", "", false);
  JobFilter f;
  f.type = "op";
  auto all = client.retry_dead_letters(f);
  ASSERT_TRUE(all.ok()) << all.error().to_string();
  EXPECT_EQ(all->size(), 1u);
  auto l3 = client.lease(lease_for("op"), 5s);
  client.fail(j.id, (*l3)[0].lease_token, "hopeless", "", false);
  auto purged = client.purge_dead_letters();
  ASSERT_TRUE(purged.ok()) << purged.error().to_string();
  EXPECT_EQ(*purged, 1);

  auto stats = client.stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_TRUE(stats->as_object().contains("by_status"));
  EXPECT_EQ(client.type_stats("no-such-type").error().status(), 404);
}

TEST_F(ClientTest, ConnectionsAreReused) {
  auto job = client.submit(spec("reuse"))->job;
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(client.get(job.id).ok());
  EXPECT_EQ(client.connections_opened(), 1u);

  // Concurrent callers each get a connection, and give it back for the next ones.
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) EXPECT_TRUE(client.get(job.id).ok());
    });
  for (auto& t : threads) t.join();
  EXPECT_LE(client.connections_opened(), 5u);
}

TEST_F(ClientTest, AStoppedLeaseHangsUpAndTakesNothing) {
  std::stop_source stop;
  auto leasing = std::async(std::launch::async,
                            [&] { return client.lease(lease_for("late"), 30s, stop.get_token()); });
  auto waiting = [&](const char* count) {
    auto metrics = client.fetch_text("GET", "/metrics");
    return metrics.ok() &&
           metrics->find(std::string("\njobq_leases_waiting ") + count + "\n") != std::string::npos;
  };
  ASSERT_TRUE(eventually([&] { return waiting("1"); })) << "the lease never waited";
  stop.request_stop();
  ASSERT_EQ(leasing.wait_for(5s), std::future_status::ready);
  auto r = leasing.get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), "cancelled");
  ASSERT_TRUE(eventually([&] { return waiting("0"); })) << "the server kept the lease waiting";
  // The server withdrew the waiting lease: a job submitted now stays queued.
  Job job = client.submit(spec("late"))->job;
  auto later = client.wait(job.id, 300ms);
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->status, JobStatus::queued);
}

TEST_F(ClientTest, ARequestPastItsTimeoutIsATimeout) {
  auto job = client.submit(spec("slowly"))->job;
  ClientOptions o = client.options();
  o.request_timeout = 1s;
  Client impatient(o);
  // The server holds this answer for 10 s; the client gives up after its 1 s.
  auto r = impatient.call("GET", "/api/v1/jobs/" + job.id + "/wait?timeout_ms=10000");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), "timeout");
  EXPECT_EQ(r.error().error_code(), ErrorCode::unavailable);
  EXPECT_TRUE(impatient.get(job.id).ok());  // a fresh connection replaces the abandoned one
  EXPECT_EQ(impatient.connections_opened(), 2u);
}

TEST_F(ClientTest, OptionsComeFromTheEnvironment) {
  ASSERT_EQ(setenv("JOBQ_URL", server.url().c_str(), 1), 0);
  ASSERT_EQ(setenv("JOBQ_API_KEY", "k-from-env", 1), 0);
  ClientOptions o = ClientOptions::from_env();
  EXPECT_EQ(o.url, server.url());
  EXPECT_EQ(o.api_key, "k-from-env");
  unsetenv("JOBQ_API_KEY");
  Client from_env;
  EXPECT_TRUE(from_env.list().ok());
  unsetenv("JOBQ_URL");
  EXPECT_EQ(ClientOptions::from_env().url, "http://127.0.0.1:8080");
}

TEST(ClientTransport, NoServerIsAConnectError) {
  int port;
  {
    JobqdProcess server;
    port = server.port();
  }
  ClientOptions o;
  o.url = "http://127.0.0.1:" + std::to_string(port);
  Client client(o);
  auto r = client.get("0190f5d2-7c1e-7a2b-8c3d-4e5f60718293");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status(), 0);
  EXPECT_EQ(r.error().code(), "connect_failed");
  EXPECT_EQ(r.error().error_code(), ErrorCode::unavailable);

  ClientOptions bad;
  bad.url = "https://example.test";
  EXPECT_EQ(Client(bad).get("x").error().field(), "url");
}

}  // namespace
}  // namespace jobq
