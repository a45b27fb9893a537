// A redis-server as the benchmark's child process, shared by the jobqd nodes of a row (and by
// BullMQ in the rows that compare with it): AOF with appendfsync always, in a directory of its
// own, and the few commands the benchmark sends it itself.
#pragma once

#include <string>

#include "http/common.h"
#include "support/redis_server.h"
#include "support/server_child.h"

namespace bench {

class RedisChild {
 public:
  RedisChild() {
    std::string why = child_.start_with(
        "/usr/bin/redis-server",
        [this](int port) {
          return jobq::testing::redis_server_args(port, dir_.path().string(), /*aof=*/true);
        },
        dir_.path() / "redis.log", jobq::testing::redis_answers_ping, 10s);
    if (!why.empty()) die("redis-server did not start: " + why);
    note_child(child_.pid());
  }
  ~RedisChild() {
    forget_child(child_.pid());
    child_.kill_now();
  }
  RedisChild(const RedisChild&) = delete;
  RedisChild& operator=(const RedisChild&) = delete;

  int port() const { return child_.port(); }
  pid_t pid() const { return child_.pid(); }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port()) + "/0"; }

  // INFO memory's used_memory, in bytes.
  std::int64_t used_memory() const {
    std::string info = command("INFO memory");
    auto at = info.find("used_memory:");
    if (at == std::string::npos) die("redis-server: INFO memory has no used_memory: " + clip(info));
    return std::stoll(info.substr(at + 12));
  }

  // CONFIG RESETSTAT, and then the calls of `command` since (INFO commandstats): how many times
  // Redis ran it, from scripts as well.
  void reset_stats() const {
    if (command("CONFIG RESETSTAT") != "OK") die("redis-server: CONFIG RESETSTAT failed");
  }
  std::int64_t calls_of(const std::string& name) const {
    std::string stats = command("INFO commandstats");
    std::string key = "cmdstat_" + name + ":calls=";
    auto at = stats.find(key);
    return at == std::string::npos ? 0 : std::stoll(stats.substr(at + key.size()));
  }

  // Every key of every db gone, so that the next system measured starts as the first did.
  void flush_all() const {
    std::string answer = command("FLUSHALL SYNC");
    if (answer != "OK") die("redis-server: FLUSHALL answered " + clip(answer));
  }

 private:
  std::string command(const std::string& line) const {
    auto answer = jobq::testing::redis_inline(port(), line);
    if (!answer) die("redis-server did not answer " + line);
    return *answer;
  }

  jobq::testing::TempDir dir_{kDirPrefix};
  jobq::testing::ServerChild child_;
};

}  // namespace bench
