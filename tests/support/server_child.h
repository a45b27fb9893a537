// A server as a child process (jobqd for the client tests, tests/client/jobqd_process.h, and the
// HTTP benchmarks, bench/http/jobqd.h; redis-server for the redis store's tests,
// support/redis_server.h): on a free loopback port, stdout and stderr into a log file, killed if
// its parent dies, and stopped with SIGTERM. How to tell that it answers is the caller's.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/eventually.h"

namespace jobq::testing {

// A loopback port nobody listens on at this moment. Another process may take it before jobqd
// binds it, so ServerChild::start tries again on a new one when jobqd exits at start.
inline int free_loopback_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  bool ok = fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
            getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0;
  if (fd >= 0) close(fd);
  if (!ok) throw std::runtime_error("no free loopback port");
  return ntohs(a.sin_port);
}

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A wait status in words: "exit status 1", "signal Killed".
inline std::string exit_text(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("signal ") + strsignal(WTERMSIG(status));
  return "status " + std::to_string(status);
}

class ServerChild {
 public:
  // Answers whether the server on `port` serves requests yet.
  using Probe = std::function<bool(int port)>;
  // The arguments that make the server listen on `port`, and the rest.
  using ArgsFor = std::function<std::vector<std::string>(int port)>;

  ServerChild() = default;
  ~ServerChild() { kill_now(); }
  ServerChild(const ServerChild&) = delete;
  ServerChild& operator=(const ServerChild&) = delete;

  // Runs `binary --listen 127.0.0.1:PORT args...` (stdin from /dev/null, stdout and stderr
  // appended to `log`) and waits up to `limit` for `answers(port)`. "" once it answers; otherwise
  // why not, after up to three ports if it exited at start, and the child is gone.
  std::string start(const std::string& binary, const std::vector<std::string>& args,
                    const std::filesystem::path& log, const Probe& answers,
                    std::chrono::milliseconds limit) {
    return start_with(
        binary,
        [&](int port) {
          std::vector<std::string> all{"--listen", "127.0.0.1:" + std::to_string(port)};
          all.insert(all.end(), args.begin(), args.end());
          return all;
        },
        log, answers, limit);
  }

  // As start, for a server told its port by other arguments than jobqd's --listen.
  std::string start_with(const std::string& binary, const ArgsFor& args_for,
                         const std::filesystem::path& log, const Probe& answers,
                         std::chrono::milliseconds limit) {
    std::string why;
    for (int attempt = 0; attempt < 3; ++attempt) {
      port_ = free_loopback_port();
      spawn(binary, args_for(port_), log);
      std::string how;
      bool up = eventually(
          [&] {
            how = exited();
            return !how.empty() || answers(port_);
          },
          limit);
      if (up && how.empty()) return "";
      if (!how.empty()) {
        why = "it exited at start (" + how + ")";
        continue;  // perhaps its port was taken: try another
      }
      kill_now();
      return "no answer within " + std::to_string(limit.count()) + " ms";
    }
    return why;
  }

  int port() const { return port_; }
  pid_t pid() const { return pid_; }

  // "" while it runs; how it ended if it is gone.
  std::string exited() {
    int status = 0;
    if (pid_ > 0 && waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return exit_text(status);
    }
    return pid_ > 0 ? "" : "gone";
  }

  // SIGTERM, then up to `grace` for it to exit: its wait status, or nullopt when it had to be
  // killed (or was not running).
  std::optional<int> stop(std::chrono::milliseconds grace) {
    if (pid_ <= 0) return std::nullopt;
    kill(pid_, SIGTERM);
    int status = 0;
    if (!eventually([&] { return waitpid(pid_, &status, WNOHANG) == pid_; }, grace)) {
      kill_now();
      return std::nullopt;
    }
    pid_ = -1;
    return status;
  }

  void kill_now() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  void spawn(const std::string& binary, std::vector<std::string> args,
             const std::filesystem::path& log) {
    args.insert(args.begin(), binary);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::string log_path = log.string();
    pid_t parent = getpid();
    std::fflush(stdout);
    std::fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
      // The child: dies with its parent, writes its output to the log.
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(127);
      int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      int null = open("/dev/null", O_RDONLY);
      if (fd < 0 || null < 0) _exit(127);
      dup2(null, 0);
      dup2(fd, 1);
      dup2(fd, 2);
      execv(argv[0], argv.data());
      _exit(127);
    }
    pid_ = pid;
  }

  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace jobq::testing
