// A redis-server of the tests' own: on a free loopback port, in a temporary directory, with AOF
// off (the tests kill no Redis), started on first use and stopped when the test process ends. Each
// test takes a fresh key prefix of it, so that it starts on an empty store.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
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

// One command in Redis' inline form, on a connection of its own to 127.0.0.1:`port` (a plain
// socket: no client library): a status or error reply's text, or a bulk reply's bytes; nullopt
// if Redis did not answer (not there, the connection cut short).
inline std::optional<std::string> redis_inline(int port, const std::string& line) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(std::uint16_t(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string sent = line + "\r\n", got;
  bool ok = fd >= 0 && connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
            write(fd, sent.data(), sent.size()) == ssize_t(sent.size());
  auto header_end = std::string::npos;
  std::size_t want = 0;
  char buf[4096];
  while (ok) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    got.append(buf, std::size_t(n));
    if (header_end == std::string::npos && (header_end = got.find("\r\n")) != std::string::npos)
      want = got[0] == '$' ? header_end + 2 + std::stoull(got.substr(1, header_end)) + 2
                           : header_end + 2;
    if (header_end != std::string::npos && got.size() >= want) break;
  }
  if (fd >= 0) close(fd);
  if (header_end == std::string::npos || got.size() < want) return std::nullopt;
  if (got[0] == '$') return got.substr(header_end + 2, want - header_end - 4);
  return got.substr(1, header_end - 1);
}

// Redis on `port` answers PING.
inline bool redis_answers_ping(int port) {
  return redis_inline(port, "PING") == std::optional<std::string>("PONG");
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
