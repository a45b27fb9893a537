// A redis-server as the benchmark's child process, shared by the jobqd nodes of a row (and by
// BullMQ in the rows that compare with it): AOF with appendfsync always, in a directory of its
// own, and the few commands the benchmark sends it itself.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

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
  // One inline command on a connection of its own: a status reply's text or a bulk reply's bytes.
  std::string command(const std::string& line) const {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(std::uint16_t(port()));
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
    if (header_end == std::string::npos || got.size() < want)
      die("redis-server did not answer " + line + ": " + clip(got));
    if (got[0] == '$') return got.substr(header_end + 2, want - header_end - 4);
    return got.substr(1, header_end - 1);
  }

  jobq::testing::TempDir dir_{kDirPrefix};
  jobq::testing::ServerChild child_;
};

}  // namespace bench
