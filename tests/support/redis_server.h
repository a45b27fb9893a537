// A redis-server of the tests' own: on a free loopback port, in a temporary directory, with AOF
// off (the tests kill no Redis), started on first use and stopped when the test process ends. Each
// test takes a fresh key prefix of it, so that it starts on an empty store.
#pragma once

#include <hiredis/hiredis.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>

#include "support/server_child.h"
#include "support/temp_dir.h"

namespace jobq::testing {

class RedisServer {
 public:
  // The one of this test process; throws if it cannot start.
  static RedisServer& shared() {
    static RedisServer server;
    return server;
  }

  int port() const { return child_.port(); }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port()) + "/0"; }
  std::string fresh_prefix() { return "jobqtest:" + std::to_string(++prefixes_) + ":"; }

 private:
  RedisServer() {
    std::string why = child_.start_with(
        "/usr/bin/redis-server",
        [this](int port) {
          return std::vector<std::string>{"--port",       std::to_string(port),
                                          "--bind",       "127.0.0.1",
                                          "--dir",        dir_.path().string(),
                                          "--save",       "",
                                          "--appendonly", "no"};
        },
        dir_.file("redis.log"), [](int port) { return answers_ping(port); },
        std::chrono::seconds(10));
    if (!why.empty())
      throw std::runtime_error("redis-server did not start: " + why + "\n" +
                               read_text(dir_.file("redis.log")));
  }

  static bool answers_ping(int port) {
    timeval limit{1, 0};
    redisContext* c = redisConnectWithTimeout("127.0.0.1", port, limit);
    bool ok = false;
    if (c && !c->err) {
      auto* r = static_cast<redisReply*>(redisCommand(c, "PING"));
      ok = r && r->type == REDIS_REPLY_STATUS;
      if (r) freeReplyObject(r);
    }
    if (c) redisFree(c);
    return ok;
  }

  TempDir dir_{"jobq-redis"};
  ServerChild child_;
  std::atomic<int> prefixes_{0};
};

}  // namespace jobq::testing
