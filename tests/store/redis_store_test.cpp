// What the redis store does beyond the conformance suite: where its keys live, what survives a
// reopen, and how it meets Redis as it really is (forgotten scripts, dropped connections, an
// evicting policy, no memory left, a wrong password, nobody listening); and that a schedule's
// fire is one script.
#include <gtest/gtest.h>

#include <cstdio>

#include "store/redis/connection.h"
#include "support/engine_fixture.h"
#include "support/redis_server.h"

namespace jobq::testing {
namespace {

class RedisStoreTest : public ::testing::Test {
 protected:
  RedisStoreTest() { f.open(); }

  // A command on a connection of the test's own.
  std::string admin(const std::vector<std::string>& args) {
    auto r = admin_.call(args);
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    if (!r.ok()) return "";
    const redisReply& reply = **r;
    if (reply.type == REDIS_REPLY_INTEGER) return std::to_string(reply.integer);
    if (reply.type == REDIS_REPLY_ARRAY) return std::to_string(reply.elements) + " elements";
    if (reply.type == REDIS_REPLY_NIL) return "(nil)";
    return std::string(redis::text(reply));
  }
  std::string prefix() const { return options_.redis_prefix; }
  Result<StorePtr> open(const std::string& url, StoreOptions options = {}) {
    return open_store(url, f.clock, options);
  }

  RedisServer& server_ = RedisServer::shared();
  StoreOptions options_ = [this] {
    StoreOptions o;
    o.redis_prefix = server_.fresh_prefix();
    return o;
  }();
  EngineFixture f{"redis", {}, options_};
  redis::Connection admin_{redis::Address{"127.0.0.1", server_.port()}};
};

TEST_F(RedisStoreTest, KeysLiveUnderThePrefixAndSurviveAReopen) {
  Job job = f.submit("email");
  EXPECT_EQ(admin({"EXISTS", prefix() + "job:" + job.id}), "1");
  EXPECT_EQ(admin({"HEXISTS", prefix() + "job:" + job.id, "id"}), "0");  // the key holds it
  auto keys = admin_.call({"KEYS", "*"});
  ASSERT_TRUE(keys.ok());
  for (std::size_t i = 0; i < (*keys)->elements; ++i)
    EXPECT_EQ(redis::text(redis::at(**keys, i)).substr(0, 9), "jobqtest:");

  f.open();  // a new store, as after a restart of jobqd
  EXPECT_EQ(f.get(job.id), job);
  Job leased = f.lease_one();
  EXPECT_EQ(leased.id, job.id);
}

// A queue's types (what a lease of any type looks at) keep a type whose ready jobs are gone
// until a lease of any type finds its set empty.
TEST_F(RedisStoreTest, ATypeWithoutReadyJobsIsUnlistedByTheNextLeaseOfAnyType) {
  std::string types = prefix() + "types:default";
  Job a = f.submit("a");
  f.submit("b");
  f.submit("b");
  EXPECT_EQ(admin({"SCARD", types}), "2");
  std::vector<Job> of_a = f.lease(1, {"default"}, {"a"});  // a's set is now empty, still listed
  ASSERT_EQ(of_a.size(), 1u);
  EXPECT_EQ(of_a.front().id, a.id);
  EXPECT_EQ(admin({"SISMEMBER", types, "a"}), "1");
  std::vector<Job> leased = f.lease(1);  // any type: looks at a's empty set, and unlists it
  ASSERT_EQ(leased.size(), 1u);
  EXPECT_EQ(leased.front().type, "b");
  EXPECT_EQ(admin({"SISMEMBER", types, "a"}), "0");
  EXPECT_EQ(admin({"SISMEMBER", types, "b"}), "1");
  // A job of the unlisted type is listed again, and leased by any type.
  Job again = f.submit("a");
  EXPECT_EQ(admin({"SISMEMBER", types, "a"}), "1");
  std::vector<Job> both = f.lease(2);  // the second b, then the new a, in submit order
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0].type, "b");
  EXPECT_EQ(both[1].id, again.id);
  // b's set was seen empty as the second job was leased, a's only after it: a stays listed.
  EXPECT_EQ(admin({"SISMEMBER", types, "b"}), "0");
  EXPECT_EQ(admin({"SISMEMBER", types, "a"}), "1");
  EXPECT_TRUE(f.lease(1).empty());
  EXPECT_EQ(admin({"SCARD", types}), "0");
}

TEST_F(RedisStoreTest, AnotherPrefixIsAnotherStore) {
  Job job = f.submit();
  StoreOptions other;
  other.redis_prefix = server_.fresh_prefix();
  auto store = open(server_.url(), other);
  ASSERT_TRUE(store.ok()) << store.error().to_string();
  auto seen = (*store)->get(job.id);
  ASSERT_TRUE(seen.ok());
  EXPECT_FALSE(seen->has_value());
}

TEST_F(RedisStoreTest, ScriptsAreLoadedAgainWhenRedisHasForgottenThem) {
  f.submit();
  EXPECT_EQ(admin({"FUNCTION", "LIST", "LIBRARYNAME", "jobq_*"}), "1 elements");
  EXPECT_EQ(admin({"FUNCTION", "FLUSH"}), "OK");
  Job second = f.submit();
  EXPECT_EQ(f.get(second.id).status, JobStatus::queued);
  EXPECT_EQ(f.lease(2).size(), 2u);
}

TEST_F(RedisStoreTest, AConnectionClosedByRedisIsOpenedAgain) {
  Job job = f.submit();
  EXPECT_EQ(f.get(job.id).id, job.id);  // the reads' connection is open and idle
  EXPECT_NE(admin({"CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"}), "0");
  EXPECT_EQ(f.get(job.id).id, job.id);
}

TEST_F(RedisStoreTest, AnEvictingPolicyIsRefusedUnlessAllowed) {
  EXPECT_EQ(admin({"CONFIG", "SET", "maxmemory-policy", "allkeys-lru"}), "OK");
  auto refused = open(server_.url());
  StoreOptions allowed;
  allowed.redis_allow_eviction = true;
  auto opened = open(server_.url(), allowed);
  EXPECT_EQ(admin({"CONFIG", "SET", "maxmemory-policy", "noeviction"}), "OK");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::invalid_argument);
  EXPECT_NE(refused.error().message().find("maxmemory-policy allkeys-lru"), std::string::npos)
      << refused.error().message();
  EXPECT_TRUE(opened.ok()) << opened.error().to_string();
}

TEST_F(RedisStoreTest, OutOfMemoryIsUnavailableAndWritesNothing) {
  Job kept = f.submit();
  EXPECT_EQ(admin({"CONFIG", "SET", "maxmemory", "1"}), "OK");
  auto refused = f.engine->submit(f.spec());
  EXPECT_EQ(admin({"CONFIG", "SET", "maxmemory", "0"}), "OK");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::unavailable);
  EXPECT_NE(refused.error().message().find("out of memory"), std::string::npos)
      << refused.error().message();
  auto page = f.engine->list({}, {});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->jobs.size(), 1u);
  EXPECT_EQ(page->jobs[0].id, kept.id);
}

TEST_F(RedisStoreTest, AWrongPasswordIsAClearErrorAtOpen) {
  EXPECT_EQ(admin({"CONFIG", "SET", "requirepass", "s3cret"}), "OK");
  auto wrong = open("redis://:nope@127.0.0.1:" + std::to_string(server_.port()) + "/0");
  auto right = open("redis://:s3cret@127.0.0.1:" + std::to_string(server_.port()) + "/0");
  EXPECT_EQ(admin({"AUTH", "s3cret"}), "OK");
  EXPECT_EQ(admin({"CONFIG", "SET", "requirepass", ""}), "OK");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code(), ErrorCode::unavailable);
  EXPECT_NE(wrong.error().message().find("AUTH"), std::string::npos) << wrong.error().message();
  EXPECT_EQ(wrong.error().message().find("nope"), std::string::npos) << "the password is shown";
  EXPECT_TRUE(right.ok()) << right.error().to_string();
}

TEST_F(RedisStoreTest, KeysOfAnotherProgramUnderThePrefixAreRefusedAtOpen) {
  StoreOptions theirs;
  theirs.redis_prefix = server_.fresh_prefix();
  EXPECT_EQ(admin({"SET", theirs.redis_prefix + "paused", "yes"}), "OK");
  auto refused = open(server_.url(), theirs);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().field(), "redis_prefix");
  EXPECT_NE(refused.error().message().find(theirs.redis_prefix + "paused is a string"),
            std::string::npos)
      << refused.error().message();

  StoreOptions newer;
  newer.redis_prefix = server_.fresh_prefix();
  EXPECT_EQ(admin({"SET", newer.redis_prefix + "schema", "99"}), "OK");
  auto from_newer = open(server_.url(), newer);
  ASSERT_FALSE(from_newer.ok());
  EXPECT_NE(from_newer.error().message().find("layout 99"), std::string::npos)
      << from_newer.error().message();

  EXPECT_EQ(admin({"GET", prefix() + "schema"}), "5");  // the fixture's store marked its prefix
}

TEST_F(RedisStoreTest, LayoutOneIsUpgradedAtOpenWithEachQueuesDeadLettersAndRunningCounts) {
  // Running jobs are counted while some limit is set (layout 5).
  ASSERT_TRUE(f.engine->set_limits({LimitScope::queue, "other", {5, {}}}).ok());
  f.submit("t", "mail");
  f.submit("t", "mail");
  auto leased = f.lease(2, {"mail"});
  ASSERT_EQ(leased.size(), 2u);
  ASSERT_TRUE(f.engine->fail(leased[0].id, leased[0].lease_token, {"x", "", false}).ok());
  // As layout 1 left it: the failed job in the dead set of all queues only, and no running
  // counts (layout 3's).
  std::string own = prefix() + "dead:4:mail";
  EXPECT_EQ(admin({"ZCARD", own}), "1");
  EXPECT_EQ(admin({"DEL", own}), "1");
  EXPECT_EQ(admin({"HGET", prefix() + "busy", "queue:mail"}), "1");
  EXPECT_EQ(admin({"DEL", prefix() + "busy"}), "1");
  EXPECT_EQ(admin({"SET", prefix() + "schema", "1"}), "OK");

  f.open();  // a new jobq on the old layout
  EXPECT_EQ(admin({"GET", prefix() + "schema"}), "5");
  EXPECT_EQ(admin({"HGET", prefix() + "busy", "queue:mail"}), "1");
  EXPECT_EQ(admin({"HGET", prefix() + "busy", "type:t"}), "1");
  EXPECT_EQ(admin({"ZCARD", own}), "1");
  Job failed = f.get(leased[0].id);
  char member[64];
  std::snprintf(member, sizeof member, "%015lld:%s", static_cast<long long>(failed.seq),
                failed.id.c_str());
  EXPECT_EQ(admin({"ZSCORE", own, member}), std::to_string(failed.completed_at));
}

// A layout-1 node still running removes jobs without knowing the per-queue dead sets: their
// stale members are dropped by the trim rather than failing it.
TEST_F(RedisStoreTest, ATrimSkipsADeadLetterWhoseJobIsGone) {
  std::string own = prefix() + "dead:4:mail";
  EXPECT_EQ(admin({"ZADD", own, "1", "000000000000001:0190f5d2-7c1e-7a2b-8c3d-4e5f60718299"}), "1");
  auto trimmed = f.store->write([](WriteGroup& g) { return g.trim_dead_letters(0, "mail", 10); });
  ASSERT_TRUE(trimmed.ok()) << trimmed.error().to_string();
  EXPECT_TRUE(trimmed->empty());
  EXPECT_EQ(admin({"ZCARD", own}), "0");
}

TEST_F(RedisStoreTest, ADbThatDoesNotExistIsAClearErrorAtOpen) {
  auto r = open("redis://127.0.0.1:" + std::to_string(server_.port()) + "/999");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("refused SELECT"), std::string::npos) << r.error().message();
}

TEST_F(RedisStoreTest, NobodyListeningIsUnavailableAtOpen) {
  auto r = open("redis://127.0.0.1:" + std::to_string(free_loopback_port()) + "/0");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::unavailable);
  EXPECT_NE(r.error().message().find("cannot connect"), std::string::npos) << r.error().message();
}

// A failed attempt to connect (here: a password Redis refuses) makes the next calls fail at once,
// without trying, until the back-off has passed; it doubles with each failure and is forgotten
// once an attempt succeeds.
TEST_F(RedisStoreTest, AConnectionBacksOffAfterFailedAttempts) {
  ManualClock clock(1'000'000);
  redis::Address address{"127.0.0.1", server_.port()};
  address.password = "s3cret";
  redis::Connection c(address, false, &clock);
  auto refused_auth = [&] {
    auto r = c.call({"PING"});
    return !r.ok() && r.error().message().find("refused AUTH") != std::string::npos;
  };
  auto backing_off = [&] {
    auto r = c.call({"PING"});
    return !r.ok() && r.error().message().find("next attempt in") != std::string::npos;
  };
  ASSERT_TRUE(refused_auth());  // no password is set: AUTH is refused
  EXPECT_TRUE(backing_off());
  clock.advance(redis::Connection::kFirstBackoffMs - 1);
  EXPECT_TRUE(backing_off());
  clock.advance(1);
  EXPECT_TRUE(refused_auth());  // tried again, failed again: twice the wait
  clock.advance(redis::Connection::kFirstBackoffMs);
  EXPECT_TRUE(backing_off());
  clock.advance(redis::Connection::kFirstBackoffMs);

  EXPECT_EQ(admin({"CONFIG", "SET", "requirepass", "s3cret"}), "OK");
  auto pong = c.call({"PING"});
  // A connection lost after a success is opened again at once, with no back-off.
  EXPECT_NE(admin({"CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"}), "0");
  auto lost = c.call({"PING"});
  auto again = c.call({"PING"});
  EXPECT_EQ(admin({"AUTH", "s3cret"}), "OK");
  EXPECT_EQ(admin({"CONFIG", "SET", "requirepass", ""}), "OK");
  ASSERT_TRUE(pong.ok()) << pong.error().to_string();
  EXPECT_EQ(redis::text(**pong), "PONG");
  EXPECT_FALSE(lost.ok());
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_EQ(redis::text(**again), "PONG");
}

// A page reads about its own jobs, not the whole store: the jobs a listing loads are counted by
// Redis itself (HGETALL calls in INFO commandstats, scripts' commands included).
TEST_F(RedisStoreTest, APageLoadsAboutItsOwnJobs) {
  for (int batch = 0; batch < 4; ++batch) {
    std::vector<JobSpec> specs;
    for (int i = 0; i < 500; ++i)  // one job in 20 is in the queue "rare"
      specs.push_back(f.spec("t", i % 20 == 7 ? "rare" : "bulk", i % 100));
    auto r = f.engine->submit_batch(specs);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
  }
  auto loads = [&](const JobFilter& filter, SortField sort) -> long {
    EXPECT_EQ(admin({"CONFIG", "RESETSTAT"}), "OK");
    ListOptions options;
    options.sort = sort;
    auto page = f.engine->list(filter, options);
    EXPECT_TRUE(page.ok()) << page.error().to_string();
    if (!page.ok()) return -1;
    EXPECT_EQ(page->jobs.size(), 50u);
    std::string stats = admin({"INFO", "commandstats"});
    auto at = stats.find("cmdstat_hgetall:calls=");
    return at == std::string::npos ? 0 : std::stol(stats.substr(at + 22));
  };
  JobFilter everything, rare, bulk;
  rare.queue = "rare";  // 100 jobs
  bulk.queue = "bulk";  // 1,900
  EXPECT_LE(loads(everything, SortField::created_at), 51);
  EXPECT_LE(loads(rare, SortField::created_at), 51);
  EXPECT_LE(loads(everything, SortField::priority), 51);
  EXPECT_LE(loads(bulk, SortField::priority), 60);     // the order walked: nearly all match
  EXPECT_LE(loads(rare, SortField::priority), 100);    // the queue's 100 sorted
  EXPECT_LE(loads(rare, SortField::updated_at), 100);  // not the 2,000 walked for 1 in 20
}

TEST_F(RedisStoreTest, TheAgreedClockIsRedisNotTheLocalOne) {
  ManualClock local(1'900'000'000'000);  // 2030: a node whose clock is years off
  auto redis_store = open_store(server_.url(), local);
  ASSERT_TRUE(redis_store.ok());
  const Clock& agreed = agreed_clock(**redis_store, local);
  Millis real = SystemClock().now();
  EXPECT_NEAR(double(agreed.now()), double(real), 2000.0);
  local.advance(500);  // between reads of Redis' time it moves as the local clock does
  EXPECT_NEAR(double(agreed.now()), double(real + 500), 2000.0);
  Millis before = agreed.now();
  local.set(1'800'000'000'000);  // the local clock stepped back: the agreed one never does
  EXPECT_GE(agreed.now(), before);

  auto memory = open_store("memory:", local);
  ASSERT_TRUE(memory.ok());
  EXPECT_EQ(&agreed_clock(**memory, local), &local);
}

// A fire is one script (lua/fire_schedule.lua): fenced out, or with its submit refused, it
// neither submits nor moves the schedule; let through, it does both.
TEST_F(RedisStoreTest, AFireSubmitsAndMovesTheScheduleTogetherOrNeither) {
  ScheduleSpec spec;
  spec.name = "tick";
  spec.cron = "* * * * *";
  spec.job.type = "report";
  auto created = f.engine->create_schedule(spec);
  ASSERT_TRUE(created.ok()) << created.error().to_string();
  const Millis due = created->next_run_at, next = due + 60'000;
  EXPECT_EQ(admin({"ZSCORE", prefix() + "schedules:due", "tick"}), std::to_string(due));
  Job job;
  job.id = "0190f5d2-7c1e-7a2b-8c3d-4e5f60718299";
  job.type = "report";
  job.queue = "default";
  job.payload = "null";
  job.idempotency_key = "schedule:tick:" + std::to_string(due);
  job.run_at = job.created_at = job.updated_at = due;
  auto fire = [&](Millis fence, const Job& run) {
    return f.store->write([&](WriteGroup& g) {
      return g.fire_schedule({"tick", fence, {run}, next, due, due});
    });
  };
  auto unmoved = [&](const char* why) {
    auto seen = f.store->get(job.id);
    ASSERT_TRUE(seen.ok());
    EXPECT_FALSE(seen->has_value()) << why;
    EXPECT_EQ(admin({"ZCARD", prefix() + "all"}), "0") << why;
    Schedule s = *f.engine->get_schedule("tick");
    EXPECT_EQ(s.next_run_at, due) << why;
    EXPECT_EQ(s.last_run_at, 0) << why;
    EXPECT_EQ(s.last_job_id, "") << why;
    EXPECT_EQ(admin({"ZSCORE", prefix() + "schedules:due", "tick"}), std::to_string(due)) << why;
  };

  auto stale = fire(due - 60'000, job);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code(), ErrorCode::conflict);
  unmoved("fenced out");

  Job orphan = job;
  orphan.depends_on = {"0190f5d2-0000-7000-8000-000000000000"};
  auto refused = fire(due, orphan);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().field(), "depends_on");
  unmoved("its submit refused");

  auto fired = fire(due, job);
  ASSERT_TRUE(fired.ok()) << fired.error().to_string();
  ASSERT_EQ(fired->size(), 1u);
  EXPECT_TRUE((*fired)[0].created);
  EXPECT_EQ(f.get(job.id).status, JobStatus::queued);
  Schedule s = *f.engine->get_schedule("tick");
  EXPECT_EQ(s.next_run_at, next);
  EXPECT_EQ(s.last_run_at, due);
  EXPECT_EQ(s.last_job_id, job.id);
  EXPECT_EQ(admin({"ZSCORE", prefix() + "schedules:due", "tick"}), std::to_string(next));
  EXPECT_EQ(fire(due, job).error().code(), ErrorCode::conflict) << "a due time fires once";

  // A run whose key is live is that job, and becomes the schedule's last.
  Job again = job;
  again.id = "0190f5d2-7c1e-7a2b-8c3d-4e5f607182aa";
  auto twice = f.store->write([&](WriteGroup& g) {
    return g.fire_schedule({"tick", next, {again}, 0, next, next});
  });
  ASSERT_TRUE(twice.ok()) << twice.error().to_string();
  EXPECT_FALSE((*twice)[0].created);
  EXPECT_EQ(f.engine->get_schedule("tick")->last_job_id, job.id);
  EXPECT_EQ(admin({"ZSCORE", prefix() + "schedules:due", "tick"}), "(nil)") << "no next due time";
}

TEST_F(RedisStoreTest, ScheduleKeysOfAnotherProgramAreRefusedAtOpen) {
  StoreOptions theirs;
  theirs.redis_prefix = server_.fresh_prefix();
  EXPECT_EQ(admin({"SET", theirs.redis_prefix + "schedules:due", "soon"}), "OK");
  auto refused = open(server_.url(), theirs);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().field(), "redis_prefix");
}

TEST(PrintableStoreUrl, HidesAPasswordAndNothingElse) {
  EXPECT_EQ(printable_store_url("redis://bob:s3cret@db:6379/0"), "redis://bob:***@db:6379/0");
  EXPECT_EQ(printable_store_url("redis://:s3cret@db:6379/0"), "redis://:***@db:6379/0");
  EXPECT_EQ(printable_store_url("redis://db:6379/0"), "redis://db:6379/0");
  EXPECT_EQ(printable_store_url("sqlite:///srv/jobq@home.db"), "sqlite:///srv/jobq@home.db");
}

TEST(RedisAddress, ParsesEveryPartAndRefusesWhatIsNotOne) {
  auto a = redis::parse_address("redis://bob:pw@db.local:6380/3");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->user, "bob");
  EXPECT_EQ(a->password, "pw");
  EXPECT_EQ(a->host, "db.local");
  EXPECT_EQ(a->port, 6380);
  EXPECT_EQ(a->db, 3);
  EXPECT_EQ(a->to_string(), "redis://bob@db.local:6380/3");
  auto d = redis::parse_address("redis://localhost");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->port, 6379);
  EXPECT_EQ(d->db, 0);
  for (const char* bad : {"redis://h:port/0", "redis://h:70000/0", "redis://h:1/x", "http://h:1"}) {
    auto r = redis::parse_address(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().field(), "store") << bad;
  }
}

// Layout 4 keeps a capped user's ready jobs in a set of the user's own, with only the user's best
// in the queue's ready set, and counts running jobs per user: a layout-3 store, with every ready
// job in the ready set and no such counts, is rebuilt so at open.
TEST_F(RedisStoreTest, LayoutThreeIsUpgradedWithEachUsersReadyJobsAndRunningCounts) {
  EngineOptions capped;
  capped.tiers = {{"free", Rate{}}};
  capped.default_tier = "free";
  capped.tier_max_running = {{"free", 1}};
  EngineFixture c{"redis", capped, options_};
  auto submit_for = [&](const std::string& user, int priority = 50) {
    JobSpec s = c.spec("t", "default", priority);
    s.user_id = user;
    return c.submit(s);
  };
  Job a1 = submit_for("alice"), a2 = submit_for("alice", 70), a3 = submit_for("alice");
  Job b1 = submit_for("bob");
  Job none = c.submit(c.spec("t", "default", 10));
  auto first = c.lease(1);
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(first[0].id, a2.id);
  std::string ready = prefix() + "ready:7:default:t";
  std::string alice = prefix() + "ready-user:7:default:1:t:free/alice";
  EXPECT_EQ(admin({"ZCARD", ready}), "3");  // a1 (alice's best), b1, none
  EXPECT_EQ(admin({"ZCARD", alice}), "2");
  EXPECT_EQ(admin({"HGET", prefix() + "busy:users", "free/alice"}), "1");
  // As layout 3 left it: every ready job in the ready set, no users' sets, no users' counts.
  EXPECT_EQ(admin({"ZADD", ready, admin({"ZSCORE", alice, a3.id}), a3.id}), "1");
  EXPECT_EQ(admin({"DEL", alice, prefix() + "ready-user:7:default:1:t:free/bob",
                   prefix() + "busy:users"}),
            "3");
  EXPECT_EQ(admin({"SET", prefix() + "schema", "3"}), "OK");

  c.open();
  EXPECT_EQ(admin({"GET", prefix() + "schema"}), "5");
  EXPECT_EQ(admin({"HGET", prefix() + "busy:users", "free/alice"}), "1");
  EXPECT_EQ(admin({"ZCARD", ready}), "3");
  EXPECT_EQ(admin({"ZCARD", alice}), "2");
  EXPECT_EQ(admin({"ZSCORE", ready, a3.id}), "(nil)");
  auto got = c.lease(10);
  ASSERT_EQ(got.size(), 2u) << "alice is at her cap";
  EXPECT_EQ(got[0].id, b1.id);
  EXPECT_EQ(got[1].id, none.id);
  ASSERT_TRUE(c.engine->complete(a2.id, first[0].lease_token, "").ok());
  EXPECT_EQ(admin({"HGET", prefix() + "busy:users", "free/alice"}), "(nil)");
  got = c.lease(10);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].id, a1.id);
}

// Layout 5 counts running jobs per queue and per type only while some limit is set: a layout-4
// store's counts are dropped at open when there is no limit, and counted anew when there is.
TEST_F(RedisStoreTest, LayoutFourIsUpgradedWithRunningCountsOnlyUnderALimit) {
  std::string busy = prefix() + "busy";
  Job job = f.submit("t", "mail");
  ASSERT_EQ(f.lease(1, {"mail"}).size(), 1u);
  EXPECT_EQ(admin({"EXISTS", busy}), "0");  // no limit: nothing counted
  // As layout 4 left it: every running job counted, here wrongly, and the id a field too.
  EXPECT_EQ(admin({"HSET", busy, "queue:mail", "3", "type:t", "3"}), "2");
  EXPECT_EQ(admin({"HSET", prefix() + "job:" + job.id, "id", job.id}), "1");
  EXPECT_EQ(admin({"SET", prefix() + "schema", "4"}), "OK");
  f.open();
  EXPECT_EQ(admin({"GET", prefix() + "schema"}), "5");
  EXPECT_EQ(admin({"EXISTS", busy}), "0");

  ASSERT_TRUE(f.engine->set_limits({LimitScope::queue, "mail", {2, {}}}).ok());
  EXPECT_EQ(admin({"HGET", busy, "queue:mail"}), "1");  // the first limit counts what runs
  EXPECT_EQ(admin({"HSET", busy, "queue:mail", "3"}), "0");
  EXPECT_EQ(admin({"SET", prefix() + "schema", "4"}), "OK");
  f.open();
  EXPECT_EQ(admin({"HGET", busy, "queue:mail"}), "1");
  EXPECT_EQ(admin({"HGET", busy, "type:t"}), "1");
  ASSERT_TRUE(f.engine->set_limits({LimitScope::queue, "mail", {0, {}}}).ok());
  EXPECT_EQ(admin({"EXISTS", busy}), "0");  // the last limit gone: nothing counted

  Job running = f.get(job.id);  // a job stored with its id as a field reads as any other
  EXPECT_EQ(running.id, job.id);
  EXPECT_EQ(running.status, JobStatus::running);
  ASSERT_TRUE(f.engine->complete(job.id, running.lease_token, "").ok());
  EXPECT_EQ(f.get(job.id).status, JobStatus::completed);
}

}  // namespace
}  // namespace jobq::testing
