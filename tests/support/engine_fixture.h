// An engine over a chosen backend with a manual clock, recording every event.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "jobq/engine.h"
#include "jobq/store.h"
#include "store/store.h"
#include "support/redis_server.h"
#include "support/temp_dir.h"

namespace jobq::testing {

class EngineFixture {
 public:
  // backend: "memory", "sqlite" (a real file in a temp directory) or "redis" (the tests'
  // redis-server, under a prefix of this fixture's own).
  explicit EngineFixture(std::string backend, EngineOptions options = {},
                         StoreOptions store_options = {})
      : backend_(std::move(backend)), options_(options), store_options_(store_options) {
    open();
  }
  // The engine first: it waits for writes under way, whose events land in events_.
  ~EngineFixture() {
    engine.reset();
    store.reset();
  }

  void open() {
    engine.reset();
    store.reset();
    std::string url = backend_ == "memory" ? "memory:" : "sqlite://" + dir.file("jobq.db");
    if (backend_ == "redis") {
      if (store_options_.redis_prefix == StoreOptions().redis_prefix)
        store_options_.redis_prefix = RedisServer::shared().fresh_prefix();
      url = RedisServer::shared().url();
    }
    auto opened = open_store(url, clock, store_options_);
    ASSERT_TRUE(opened.ok()) << opened.error().to_string();
    store = std::move(*opened);
    engine = std::make_unique<Engine>(*store, clock, bus, options_);
  }
  bool durable() const { return backend_ != "memory"; }

  JobSpec spec(std::string type = "t", std::string queue = "default", int priority = 50) {
    JobSpec s;
    s.type = std::move(type);
    s.queue = std::move(queue);
    s.priority = priority;
    return s;
  }
  Job submit(const JobSpec& s) {
    auto r = engine->submit(s);
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r.ok() ? r->job : Job{};
  }
  Job submit(std::string type = "t", std::string queue = "default", int priority = 50) {
    return submit(spec(std::move(type), std::move(queue), priority));
  }
  std::vector<Job> lease(int n = 1, std::vector<std::string> queues = {"default"},
                         std::vector<std::string> types = {}, std::string worker = "w1",
                         std::int64_t lease_ms = 30'000) {
    LeaseRequest r;
    r.worker_id = std::move(worker);
    r.queues = std::move(queues);
    r.types = std::move(types);
    r.max_jobs = n;
    r.lease_ms = lease_ms;
    auto leased = engine->lease(r);
    EXPECT_TRUE(leased.ok()) << leased.error().to_string();
    return leased.ok() ? *leased : std::vector<Job>{};
  }
  Job lease_one(std::string worker = "w1", std::int64_t lease_ms = 30'000) {
    auto jobs = lease(1, {"default"}, {}, std::move(worker), lease_ms);
    EXPECT_EQ(jobs.size(), 1u);
    return jobs.empty() ? Job{} : jobs.front();
  }
  Job get(const std::string& id) {
    auto r = engine->get(id);
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r.ok() ? *r : Job{};
  }
  std::vector<std::string> event_names(const std::string& id) {
    std::lock_guard lock(mutex_);
    std::vector<std::string> names;
    for (const auto& e : events_)
      if (e.job->id == id) names.emplace_back(to_string(e.type));
    return names;
  }
  std::vector<Event> events() {
    std::lock_guard lock(mutex_);
    return events_;
  }

  TempDir dir;
  ManualClock clock;
  EventBus bus;
  StorePtr store;
  std::unique_ptr<Engine> engine;

 private:
  std::string backend_;
  EngineOptions options_;
  StoreOptions store_options_;
  std::mutex mutex_;
  std::vector<Event> events_;
  EventBus::SubscriptionId sub_ = bus.subscribe([this](const Event& e) {
    std::lock_guard lock(mutex_);
    events_.push_back(e);
  });
};

}  // namespace jobq::testing
