// A redis-server of the tests' own: on a free loopback port, in a temporary directory, with AOF
// off (the tests kill no Redis), started on first use and stopped when the test process ends. Each
// test takes a fresh key prefix of it, so that it starts on an empty store.
#pragma once

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>

#include "support/server_child.h"
#include "support/temp_dir.h"

namespace jobq::testing {

// redis-server's arguments for a server of a test's or a benchmark's own: loopback, `dir`, no
// snapshots, and AOF with appendfsync always if `aof`.
inline std::vector<std::string> redis_server_args(int port, const std::string& dir, bool aof) {
  std::vector<std::string> args{"--port", std::to_string(port), "--bind", "127.0.0.1", "--dir",
                                dir,      "--save",             ""};
  if (aof)
    args.insert(args.end(), {"--appendonly", "yes", "--appendfsync", "always"});
  else
    args.insert(args.end(), {"--appendonly", "no"});
  return args;
}

// Redis on `port` answers PING (in its inline form, over a plain socket: no client library).
inline bool redis_answers_ping(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(std::uint16_t(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  char answer[5] = {};
  bool ok = fd >= 0 && connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
            write(fd, "PING\r\n", 6) == 6 && read(fd, answer, 5) == 5 &&
            std::string_view(answer, 5) == "+PONG";
  if (fd >= 0) close(fd);
  return ok;
}

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
        [this](int port) { return redis_server_args(port, dir_.path().string(), false); },
        dir_.file("redis.log"), redis_answers_ping, std::chrono::seconds(10));
    if (!why.empty())
      throw std::runtime_error("redis-server did not start: " + why + "\n" +
                               read_text(dir_.file("redis.log")));
  }

  TempDir dir_{"jobq-redis"};
  ServerChild child_;
  std::atomic<int> prefixes_{0};
};

}  // namespace jobq::testing
