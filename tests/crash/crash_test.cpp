// Kills a process that writes to a sqlite store at full speed with SIGKILL at a random moment,
// twenty times, and checks after each that the database kept its promises.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "jobq/engine.h"
#include "jobq/store.h"
#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

extern char** environ;

namespace jobq {
namespace {

constexpr int kRounds = 20;

struct Log {
  std::set<std::string> submitted, completed;
};

Log read_log(const std::string& path) {
  Log log;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() < 3) continue;  // a line cut by the kill is not an answered operation
    (line[0] == 'S' ? log.submitted : log.completed).insert(line.substr(2));
  }
  return log;
}

pid_t spawn_child(const std::string& db, const std::string& log) {
  std::string exe = CRASH_CHILD;
  char* argv[] = {exe.data(), const_cast<char*>(db.c_str()), const_cast<char*>(log.c_str()),
                  nullptr};
  pid_t pid = 0;
  EXPECT_EQ(posix_spawn(&pid, exe.c_str(), nullptr, nullptr, argv, environ), 0);
  return pid;
}

// Waits, with a deadline, until the child has answered `lines` more operations.
bool wait_for_progress(const std::string& log, std::uintmax_t past_size, std::uintmax_t bytes) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    std::error_code ec;
    auto size = std::filesystem::file_size(log, ec);
    if (!ec && size >= past_size + bytes) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

std::vector<Job> all_jobs(Engine& engine) {
  std::vector<Job> all;
  ListOptions o;
  o.limit = 1000;
  o.descending = false;
  for (;;) {
    auto page = engine.list({}, o);
    EXPECT_TRUE(page.ok());
    if (!page.ok()) return all;
    all.insert(all.end(), page->jobs.begin(), page->jobs.end());
    if (page->next_cursor.empty()) return all;
    o.cursor = page->next_cursor;
  }
}

TEST(Crash, SigkillAtRandomMomentsLosesNothingAnswered) {
  testing::TempDir dir;
  std::string db = dir.file("jobq.db"), log_path = dir.file("answered.log");
  std::mt19937 rng(std::random_device{}());
  std::set<std::string> ever_completed;
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    std::error_code ec;
    auto before = std::filesystem::exists(log_path) ? std::filesystem::file_size(log_path, ec) : 0;
    pid_t pid = spawn_child(db, log_path);
    ASSERT_GT(pid, 0);
    // At least a few dozen answered operations, then a random moment more.
    ASSERT_TRUE(wait_for_progress(log_path, before, 40 * 40));
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution(0, 250)(rng)));
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the child stopped on its own with " << status;

    Log log = read_log(log_path);
    ManualClock clock(SystemClock().now());
    StoreOptions options;
    auto opened = open_store("sqlite://" + db, clock, options);
    ASSERT_TRUE(opened.ok()) << opened.error().to_string();
    auto& store = static_cast<SqliteStore&>(**opened);
    EventBus bus;
    Engine engine(store, clock, bus);

    std::map<std::string, Job> jobs;
    std::size_t queued = 0;
    std::set<std::string> running;
    for (Job& j : all_jobs(engine)) {
      ASSERT_TRUE(jobs.emplace(j.id, j).second) << "job listed twice: " << j.id;
      if (j.status == JobStatus::queued) ++queued;
      if (j.status == JobStatus::running) {
        running.insert(j.id);
        EXPECT_FALSE(j.lease_token.empty());
        EXPECT_EQ(j.lease_expires_at, clock.now() + options.restart_lease_ms);
      }
      if (j.status == JobStatus::completed) {
        EXPECT_EQ(j.result, "true");
        EXPECT_TRUE(j.lease_token.empty());
      }
    }
    for (const auto& id : log.submitted)
      ASSERT_TRUE(jobs.count(id)) << "answered submit lost: " << id;
    for (const auto& id : log.completed) {
      ASSERT_TRUE(jobs.count(id));
      EXPECT_EQ(jobs[id].status, JobStatus::completed) << "answered completion lost: " << id;
    }
    for (const auto& id : ever_completed) EXPECT_EQ(jobs[id].status, JobStatus::completed);
    EXPECT_EQ(store.ready_count(), queued) << "the ready index does not match the table";

    // Jobs that were running are leased again once their lease has expired, and never a
    // completed one.
    clock.advance(options.restart_lease_ms);
    auto tick = engine.tick();
    ASSERT_TRUE(tick.ok());
    EXPECT_EQ(tick->expired, running.size());
    clock.advance(options.restart_lease_ms);  // past any retry backoff
    ASSERT_TRUE(engine.tick().ok());
    std::set<std::string> released;
    LeaseRequest request;
    request.worker_id = "checker";
    request.max_jobs = 1000;
    for (;;) {
      auto leased = engine.lease(request);
      ASSERT_TRUE(leased.ok());
      if (leased->empty()) break;
      for (const Job& j : *leased) {
        EXPECT_NE(jobs[j.id].status, JobStatus::completed)
            << "completed job leased again: " << j.id;
        released.insert(j.id);
        ASSERT_TRUE(engine.complete(j.id, j.lease_token, "true").ok());
      }
    }
    for (const auto& id : running)
      EXPECT_TRUE(released.count(id)) << "running job not re-leased: " << id;
    for (const auto& [id, j] : jobs)
      if (j.status == JobStatus::completed) ever_completed.insert(id);
    ever_completed.insert(released.begin(), released.end());
  }
}

}  // namespace
}  // namespace jobq
