// Cron schedules over every store: a due time fires once, the overlap and misfire policies, pause
// and resume, trigger, and the refusals. The clock is the fixture's manual one, starting at
// 2023-11-14T22:13:20Z.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "store/conformance.h"

namespace jobq::testing {

namespace {

constexpr Millis kMinute = 60'000;
constexpr Millis kFirstMinute = 1'700'000'040'000;  // 22:14:00, the first due time of "* * * * *"

ScheduleSpec every_minute(std::string name = "tick") {
  ScheduleSpec s;
  s.name = std::move(name);
  s.cron = "* * * * *";
  s.job.type = "report";
  s.job.payload = R"({"kind":"daily"})";
  return s;
}

std::vector<Job> runs_of(Engine& engine, const std::string& name) {
  JobFilter filter;
  filter.tag = schedule_tag(name);
  ListOptions options;
  options.descending = false;
  auto page = engine.list(filter, options);
  EXPECT_TRUE(page.ok()) << page.error().to_string();
  return page.ok() ? page->jobs : std::vector<Job>{};
}

}  // namespace

class Schedules : public StoreConformance {
 protected:
  Schedule create(const ScheduleSpec& spec) {
    auto s = engine().create_schedule(spec);
    EXPECT_TRUE(s.ok()) << s.error().to_string();
    return s.ok() ? *s : Schedule{};
  }
  std::size_t tick() {
    auto report = engine().tick();
    EXPECT_TRUE(report.ok()) << report.error().to_string();
    return report.ok() ? report->scheduled : 0;
  }
};

TEST_P(Schedules, ADueTimeSubmitsTheTemplatesJobOnce) {
  Schedule s = create(every_minute());
  EXPECT_EQ(s.next_run_at, kFirstMinute);
  f.clock.set(kFirstMinute - 1);
  EXPECT_EQ(tick(), 0u);
  f.clock.set(kFirstMinute);
  EXPECT_EQ(tick(), 1u);
  EXPECT_EQ(tick(), 0u) << "a due time fires once";

  auto runs = runs_of(engine(), "tick");
  ASSERT_EQ(runs.size(), 1u);
  const Job& run = runs[0];
  EXPECT_EQ(run.type, "report");
  EXPECT_EQ(run.payload, R"({"kind":"daily"})");
  EXPECT_EQ(run.status, JobStatus::queued);
  EXPECT_EQ(run.idempotency_key, "schedule:tick:" + std::to_string(kFirstMinute));
  Schedule after = *engine().get_schedule("tick");
  EXPECT_EQ(after.last_run_at, kFirstMinute);
  EXPECT_EQ(after.last_job_id, run.id);
  EXPECT_EQ(after.next_run_at, kFirstMinute + kMinute);
  EXPECT_EQ(f.lease_one().id, run.id);
}

TEST_P(Schedules, SurvivesAReopenAndDoesNotFireADueTimeAgain) {
  if (!f.durable()) GTEST_SKIP() << "nothing survives the memory store";
  create(every_minute());
  f.clock.set(kFirstMinute);
  EXPECT_EQ(tick(), 1u);
  f.open();
  EXPECT_EQ(tick(), 0u);
  Schedule s = *engine().get_schedule("tick");
  EXPECT_EQ(s.next_run_at, kFirstMinute + kMinute);
  EXPECT_EQ(s.spec.job.payload, R"({"kind":"daily"})");
  f.clock.set(kFirstMinute + kMinute);
  EXPECT_EQ(tick(), 1u);
  EXPECT_EQ(runs_of(engine(), "tick").size(), 2u);
}

TEST_P(Schedules, OverlapSkipSubmitsNothingWhileThePreviousRunIsUnfinished) {
  ScheduleSpec spec = every_minute();
  spec.overlap = Overlap::skip;
  create(spec);
  f.clock.set(kFirstMinute);
  ASSERT_EQ(tick(), 1u);
  f.clock.advance(kMinute);
  EXPECT_EQ(tick(), 0u) << "the first run is still queued";
  EXPECT_EQ(engine().get_schedule("tick")->next_run_at, kFirstMinute + 2 * kMinute);
  Job first = f.lease_one();
  ASSERT_TRUE(engine().complete(first.id, first.lease_token, "1").ok());
  f.clock.advance(kMinute);
  EXPECT_EQ(tick(), 1u);
  EXPECT_EQ(runs_of(engine(), "tick").size(), 2u);
}

TEST_P(Schedules, OverlapCancelPreviousCancelsTheUnfinishedRun) {
  ScheduleSpec spec = every_minute();
  spec.overlap = Overlap::cancel_previous;
  create(spec);
  f.clock.set(kFirstMinute);
  ASSERT_EQ(tick(), 1u);
  std::string first = engine().get_schedule("tick")->last_job_id;
  f.clock.advance(kMinute);
  EXPECT_EQ(tick(), 1u);
  EXPECT_EQ(f.get(first).status, JobStatus::cancelled);
  auto runs = runs_of(engine(), "tick");
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[1].status, JobStatus::queued);
}

TEST_P(Schedules, OverlapAllowSubmitsEveryRun) {
  create(every_minute());
  f.clock.set(kFirstMinute);
  ASSERT_EQ(tick(), 1u);
  f.clock.advance(kMinute);
  EXPECT_EQ(tick(), 1u);
  EXPECT_EQ(runs_of(engine(), "tick").size(), 2u);
}

TEST_P(Schedules, MissedDueTimesGoByTheMisfirePolicy) {
  struct Case {
    Misfire misfire;
    std::size_t runs;
  };
  const Millis first = kFirstMinute + kMinute;  // 22:15, the first due time of "*/5 * * * *"
  int checked = 0;
  for (Case c : {Case{Misfire::skip, 0}, Case{Misfire::run_once, 1}, Case{Misfire::run_all, 3}}) {
    ScheduleSpec spec = every_minute(std::string(to_string(c.misfire)));
    spec.cron = "*/5 * * * *";
    spec.misfire = c.misfire;
    spec.misfire_limit = 3;
    EXPECT_EQ(create(spec).next_run_at, first);
    ++checked;
  }
  ASSERT_EQ(checked, 3);
  // 22:15, 22:20, 22:25 and 22:30 pass with nothing to fire them (jobqd stopped); at 22:33 each
  // is more than the grace old.
  f.clock.set(first + 18 * kMinute);
  EXPECT_EQ(tick(), 0u + 1u + 3u);
  EXPECT_TRUE(runs_of(engine(), "skip").empty());
  auto once = runs_of(engine(), "run_once");
  ASSERT_EQ(once.size(), 1u);
  EXPECT_EQ(once[0].idempotency_key, "schedule:run_once:" + std::to_string(first + 15 * kMinute));
  auto all = runs_of(engine(), "run_all");
  std::vector<std::string> keys;
  for (const Job& j : all) keys.push_back(j.idempotency_key);
  std::sort(keys.begin(), keys.end());
  std::vector<std::string> latest;
  for (int i = 1; i <= 3; ++i)
    latest.push_back("schedule:run_all:" + std::to_string(first + i * 5 * kMinute));
  EXPECT_EQ(keys, latest) << "the latest misfire_limit of them";
  for (const char* name : {"skip", "run_once", "run_all"}) {
    Schedule s = *engine().get_schedule(name);
    EXPECT_EQ(s.next_run_at, first + 20 * kMinute) << name;
    EXPECT_EQ(s.last_run_at, std::string(name) == "skip" ? 0 : first + 15 * kMinute) << name;
  }
}

TEST_P(Schedules, ADueTimeWithinTheGraceIsOnTimeNotMissed) {
  ScheduleSpec spec = every_minute();
  spec.misfire = Misfire::skip;
  create(spec);
  f.clock.set(kFirstMinute + kMisfireGraceMs - 1);
  EXPECT_EQ(tick(), 1u);
}

TEST_P(Schedules, ADueTimeExactlyTheGraceOldIsStillOnTime) {
  ScheduleSpec spec = every_minute();
  spec.misfire = Misfire::skip;
  create(spec);
  f.clock.set(kFirstMinute + kMisfireGraceMs);  // 22:14 is the grace old, 22:15 is now
  EXPECT_EQ(tick(), 2u) << "missed means more than the grace old";
}

TEST_P(Schedules, RunAllMakesAtMostMisfireLimitRunsOnTimeOrNot) {
  ScheduleSpec spec = every_minute();
  spec.cron = "* * * * * *";  // every second: 60 due times are within the grace at any tick
  spec.misfire = Misfire::run_all;
  spec.misfire_limit = 3;
  Schedule s = create(spec);
  f.clock.set(s.next_run_at + 2 * kMinute);
  EXPECT_EQ(tick(), 3u);
  std::vector<std::string> keys;
  for (const Job& j : runs_of(engine(), "tick")) keys.push_back(j.idempotency_key);
  std::sort(keys.begin(), keys.end());
  std::vector<std::string> latest;
  for (Millis t : {f.clock.now() - 2000, f.clock.now() - 1000, f.clock.now()})
    latest.push_back("schedule:tick:" + std::to_string(t));
  EXPECT_EQ(keys, latest);
}

TEST_P(Schedules, AFiringIsFencedByAPauseThatCameAfterItsRead) {
  Schedule s = create(every_minute());
  SchedulePatch pause;
  pause.paused = true;
  ASSERT_TRUE(engine().update_schedule("tick", pause).ok());
  ScheduleFire late{"tick", s.next_run_at, {}, kFirstMinute + kMinute, kFirstMinute, kFirstMinute};
  auto fired = f.store->write([&](WriteGroup& g) { return g.fire_schedule(late); });
  ASSERT_FALSE(fired.ok());
  EXPECT_EQ(fired.error().code(), ErrorCode::conflict);
  EXPECT_EQ(engine().get_schedule("tick")->next_run_at, kFirstMinute);
}

// Changes through the API while the sweeper ticks: every change lands or is told why, and every
// tick runs (ThreadSanitizer watches the store's schedules).
TEST_P(Schedules, ChangesWhileTicksFireAreSafe) {
  ScheduleSpec spec = every_minute();
  spec.cron = "* * * * * *";
  create(spec);
  std::atomic<int> ticks = 0;
  std::thread sweeper([&] {
    for (int i = 0; i < 100; ++i) {
      f.clock.advance(1000);
      if (engine().tick().ok()) ++ticks;
    }
  });
  int changed = 0;
  for (int i = 0; i < 100; ++i) {
    SchedulePatch p;
    p.overlap = i % 2 ? Overlap::allow : Overlap::skip;
    auto r = engine().update_schedule("tick", p);
    if (r.ok())
      ++changed;
    else
      EXPECT_EQ(r.error().code(), ErrorCode::conflict) << r.error().to_string();
  }
  sweeper.join();
  EXPECT_EQ(ticks.load(), 100);
  EXPECT_GT(changed, 0);
  EXPECT_FALSE(runs_of(engine(), "tick").empty());
}

TEST_P(Schedules, APausedScheduleDoesNotFireAndResumesFromNow) {
  create(every_minute());
  SchedulePatch pause;
  pause.paused = true;
  ASSERT_TRUE(engine().update_schedule("tick", pause).ok());
  f.clock.set(kFirstMinute + 5 * kMinute + 1);
  EXPECT_EQ(tick(), 0u);
  SchedulePatch resume;
  resume.paused = false;
  auto resumed = engine().update_schedule("tick", resume);
  ASSERT_TRUE(resumed.ok()) << resumed.error().to_string();
  EXPECT_EQ(resumed->next_run_at, kFirstMinute + 6 * kMinute);
  EXPECT_EQ(tick(), 0u) << "due times missed while paused are not misfires";
  EXPECT_TRUE(runs_of(engine(), "tick").empty());
}

TEST_P(Schedules, ChangingTheExpressionRetimesIt) {
  create(every_minute());
  SchedulePatch hourly;
  hourly.cron = "@hourly";
  auto changed = engine().update_schedule("tick", hourly);
  ASSERT_TRUE(changed.ok()) << changed.error().to_string();
  EXPECT_EQ(changed->spec.cron, "@hourly");
  EXPECT_EQ(changed->next_run_at, 1'700'002'800'000);  // 23:00:00
  EXPECT_EQ(engine().get_schedule("tick")->next_run_at, 1'700'002'800'000);
}

TEST_P(Schedules, TriggerSubmitsNowAndKeepsTheTimetable) {
  create(every_minute());
  auto triggered = engine().trigger_schedule("tick");
  ASSERT_TRUE(triggered.ok()) << triggered.error().to_string();
  EXPECT_EQ(triggered->job.status, JobStatus::queued);
  EXPECT_EQ(triggered->job.tags, std::vector<std::string>{schedule_tag("tick")});
  EXPECT_EQ(engine().get_schedule("tick")->next_run_at, kFirstMinute);
  EXPECT_EQ(engine().trigger_schedule("nope").error().code(), ErrorCode::not_found);
}

TEST_P(Schedules, DeletedSchedulesStopFiring) {
  create(every_minute());
  auto removed = engine().delete_schedule("tick");
  ASSERT_TRUE(removed.ok()) << removed.error().to_string();
  EXPECT_EQ(removed->spec.name, "tick");
  f.clock.set(kFirstMinute);
  EXPECT_EQ(tick(), 0u);
  EXPECT_EQ(engine().get_schedule("tick").error().code(), ErrorCode::not_found);
  EXPECT_EQ(engine().delete_schedule("tick").error().code(), ErrorCode::not_found);
}

TEST_P(Schedules, ListsByName) {
  create(every_minute("b"));
  create(every_minute("a"));
  auto all = engine().list_schedules();
  ASSERT_TRUE(all.ok()) << all.error().to_string();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].spec.name, "a");
  EXPECT_EQ((*all)[1].spec.name, "b");
}

TEST_P(Schedules, BadSchedulesAreRefusedNamingTheField) {
  auto refused = [&](ScheduleSpec spec) {
    auto s = engine().create_schedule(spec);
    EXPECT_FALSE(s.ok());
    return s.ok() ? std::string("accepted") : s.error().field();
  };
  ScheduleSpec s = every_minute();
  s.cron = "61 * * * *";
  EXPECT_EQ(refused(s), "cron");
  s = every_minute();
  s.cron = "0 0 30 2 *";
  EXPECT_EQ(refused(s), "cron");
  s = every_minute();
  s.timezone = "Mars/Olympus";
  EXPECT_EQ(refused(s), "timezone");
  s = every_minute();
  s.name = "no spaces";
  EXPECT_EQ(refused(s), "name");
  s = every_minute();
  s.job.delay_ms = 5;
  EXPECT_EQ(refused(s), "job.delay_ms");
  s = every_minute();
  s.job.idempotency_key = "k";
  EXPECT_EQ(refused(s), "job.idempotency_key");
  s = every_minute();
  s.job.type = "";
  EXPECT_EQ(refused(s), "job.type");
  s = every_minute();
  s.misfire_limit = 0;
  EXPECT_EQ(refused(s), "misfire_limit");

  create(every_minute());
  auto twice = engine().create_schedule(every_minute());
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code(), ErrorCode::conflict);
  SchedulePatch bad;
  bad.cron = "nonsense";
  EXPECT_EQ(engine().update_schedule("tick", bad).error().field(), "cron");
  EXPECT_EQ(engine().get_schedule("tick")->spec.cron, "* * * * *")
      << "a refused change changes nothing";
  EXPECT_EQ(engine().update_schedule("nope", {}).error().code(), ErrorCode::not_found);
}

TEST_P(Schedules, AFiringIsFencedByTheDueTimeItRead) {
  create(every_minute());
  ScheduleFire stale{"tick", kFirstMinute - kMinute, {}, kFirstMinute + kMinute, 0, kFirstMinute};
  auto fired = f.store->write([&](WriteGroup& g) { return g.fire_schedule(stale); });
  ASSERT_FALSE(fired.ok());
  EXPECT_EQ(fired.error().code(), ErrorCode::conflict);
  EXPECT_EQ(engine().get_schedule("tick")->next_run_at, kFirstMinute);
}

// A change written over a run fired since it was read would bring back that run's due time.
TEST_P(Schedules, AChangeIsFencedByTheDueTimeItRead) {
  Schedule s = create(every_minute());
  Schedule changed = s;
  changed.spec.overlap = Overlap::skip;
  auto stale = f.store->write(
      [&](WriteGroup& g) { return g.update_schedule(changed, s.next_run_at - kMinute); });
  EXPECT_EQ(stale.code(), ErrorCode::conflict);
  EXPECT_EQ(engine().get_schedule("tick")->spec.overlap, Overlap::allow);
  auto fresh =
      f.store->write([&](WriteGroup& g) { return g.update_schedule(changed, s.next_run_at); });
  EXPECT_TRUE(fresh.ok()) << fresh.to_string();
  EXPECT_EQ(engine().get_schedule("tick")->spec.overlap, Overlap::skip);
}

TEST_P(Schedules, ATemplateTheLimitsNowRefuseIsReportedAndTheRestOfTheTickRuns) {
  ScheduleSpec spec = every_minute();
  spec.job.payload = "\"" + std::string(100, 'x') + "\"";
  create(spec);
  f.submit();
  Job leased = f.lease_one("w1", 1000);  // its lease runs out before the due time
  // jobqd restarted with a smaller max_payload_bytes than the template was accepted under.
  EngineOptions smaller = options();
  smaller.max_payload_bytes = 50;
  f.engine = std::make_unique<Engine>(*f.store, f.clock, f.bus, smaller);
  f.clock.set(kFirstMinute);
  auto report = engine().tick();
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  EXPECT_EQ(report->scheduled, 0u);
  ASSERT_EQ(report->schedule_errors.size(), 1u);
  EXPECT_EQ(report->schedule_errors[0].field(), "schedules.tick.job.payload");
  EXPECT_EQ(report->expired, 1u) << "the lease expiry of the same tick still ran";
  EXPECT_EQ(engine().get_schedule("tick")->next_run_at, kFirstMinute + kMinute);
  EXPECT_TRUE(runs_of(engine(), "tick").empty());
  EXPECT_EQ(f.get(leased.id).errors.size(), 1u);
}

// As if the process died inside the write that fires a due time: the job and the schedule's move
// roll back together, and the next tick fires that due time once.
TEST_P(Schedules, AFiringThatFailsMidWayKeepsNeitherItsJobNorItsMove) {
  if (GetParam() != "sqlite")
    GTEST_SKIP() << "the memory and redis stores do not roll a write group back";
  Schedule s = create(every_minute());
  f.clock.set(kFirstMinute);
  auto run = f.engine->get_schedule("tick");
  ASSERT_TRUE(run.ok());
  auto failed = f.store->write([&](WriteGroup& g) -> Result<std::vector<SubmitOutcome>> {
    Job job;
    job.id = "0190f5d2-7c1e-7a2b-8c3d-4e5f60718299";
    job.type = "report";
    job.queue = "default";
    job.payload = "null";
    job.run_at = job.created_at = job.updated_at = kFirstMinute;
    auto fired = g.fire_schedule(
        {"tick", s.next_run_at, {job}, kFirstMinute + kMinute, kFirstMinute, kFirstMinute});
    EXPECT_TRUE(fired.ok());
    throw std::runtime_error("power cut");
  });
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(engine().get_schedule("tick")->next_run_at, kFirstMinute);
  EXPECT_TRUE(runs_of(engine(), "tick").empty());
  EXPECT_EQ(tick(), 1u);
  EXPECT_EQ(runs_of(engine(), "tick").size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, Schedules, ::testing::Values("memory", "sqlite", "redis"),
                         [](const auto& info) { return info.param; });

}  // namespace jobq::testing
