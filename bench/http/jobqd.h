// jobqd as the benchmark's child process (Jobqd), and what every row notes about it and about
// the client when it ends (Meter).
#pragma once

#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "http/conn.h"

namespace bench {

// ---- the server ---------------------------------------------------------------------------------

inline std::uint16_t free_port() {
  asio::io_context io;
  tcp::acceptor a(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  return a.local_endpoint().port();
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

inline std::string exit_text(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("signal ") + strsignal(WTERMSIG(status));
  return "status " + std::to_string(status);
}

// jobqd as a child process, over a fresh store, logging at warn level into a file of its own.
class Jobqd {
 public:
  Jobqd(const std::string& binary, const StoreKind& kind) : kind_(kind) {
    for (int attempt = 0;; ++attempt) {
      port_ = free_port();
      start(binary);
      std::string failure = wait_healthy(10s);
      if (failure.empty()) return;
      // Another process may have taken the port between free_port() and jobqd's bind.
      if (failure.find("cannot listen") != std::string::npos && attempt < 2) continue;
      die("jobqd did not start (" + describe_store() + "): " + failure);
    }
  }
  ~Jobqd() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      g_server_pid = 0;
    }
  }
  Jobqd(const Jobqd&) = delete;
  Jobqd& operator=(const Jobqd&) = delete;

  std::uint16_t port() const { return port_; }

  // VmRSS of the server now, in bytes; -1 if it is gone.
  std::int64_t rss_bytes() const {
    std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
    for (std::string line; std::getline(status, line);)
      if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6)) * 1024;
    return -1;
  }

  // User plus system CPU time the server has used so far.
  double cpu_seconds() const {
    std::string stat = read_file("/proc/" + std::to_string(pid_) + "/stat");
    auto paren = stat.rfind(')');  // the command name may hold spaces
    if (paren == std::string::npos) return 0;
    std::istringstream in(stat.substr(paren + 2));
    std::string field;
    double utime = 0, stime = 0;
    for (int i = 3; i <= 15 && in >> field; ++i) {  // fields 14 and 15: utime, stime
      if (i == 14) utime = std::stod(field);
      if (i == 15) stime = std::stod(field);
    }
    return (utime + stime) / double(sysconf(_SC_CLK_TCK));
  }

  // "" while it runs; how it ended if it is gone.
  std::string exited() {
    int status = 0;
    if (pid_ > 0 && waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      g_server_pid = 0;
      return exit_text(status);
    }
    return pid_ > 0 ? "" : "gone";
  }

  // SIGTERM and a wait for the exit; returns notes on anything unusual (a non-zero exit, a slow
  // stop, lines in its warn-level log), which also go to stderr in full.
  std::string stop() {
    std::string notes;
    if (pid_ > 0) {
      std::string early = exited();
      if (!early.empty()) {
        notes = "jobqd was no longer running at the end of the row (" + early + ")";
      } else {
        kill(pid_, SIGTERM);
        auto start = Steady::now();
        int status = 0;
        bool done = false;
        while (!(done = waitpid(pid_, &status, WNOHANG) == pid_) && Steady::now() - start < 20s)
          std::this_thread::sleep_for(10ms);
        if (!done) {
          kill(pid_, SIGKILL);
          waitpid(pid_, &status, 0);
          notes = "jobqd did not exit within 20 s of SIGTERM (killed)";
        } else if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
          notes = "jobqd ended with " + exit_text(status) + " after SIGTERM";
        }
        pid_ = -1;
        g_server_pid = 0;
      }
    }
    auto lines = lines_of(read_file(log_path()));
    if (!lines.empty()) {
      notes = join(notes, "jobqd log (warn level): " + group(i64(lines.size())) +
                              (lines.size() == 1 ? " line: " : " lines, first: ") +
                              clip(lines.front(), 200));
      std::fprintf(stderr, "http_bench: jobqd (%s) logged %zu lines:\n", describe_store().c_str(),
                   lines.size());
      for (std::size_t i = 0; i < lines.size() && i < 20; ++i)
        std::fprintf(stderr, "  %s\n", lines[i].c_str());
    }
    return notes;
  }

 private:
  std::filesystem::path log_path() const { return dir_.path() / "jobqd.log"; }
  std::string describe_store() const { return kind_.label + ", port " + std::to_string(port_); }

  void start(const std::string& binary) {
    std::vector<std::string> args = {binary, "--listen", "127.0.0.1:" + std::to_string(port_),
                                     "--log-level", "warn"};
    if (kind_.sqlite) {
      args.insert(args.end(), {"--store", "sqlite://" + (dir_.path() / "jobq.db").string(),
                               "--sync", kind_.sync});
    } else {
      args.insert(args.end(), {"--store", "memory:"});
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::string log = log_path().string();
    pid_t parent = getpid();
    std::fflush(stdout);
    std::fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) die(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
      // The child: dies with the benchmark, writes its log to the file.
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(127);
      int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int null = open("/dev/null", O_RDONLY);
      if (fd < 0 || null < 0) _exit(127);
      dup2(null, 0);
      dup2(fd, 1);
      dup2(fd, 2);
      execv(argv[0], argv.data());
      _exit(127);
    }
    pid_ = pid;
    g_server_pid = pid;
  }

  // "" once GET /health answers 200; otherwise why not.
  std::string wait_healthy(Steady::duration limit) {
    Deadline deadline(limit);
    std::string last;
    while (!deadline.passed()) {
      if (std::string how = exited(); !how.empty())
        return "it exited at start (" + how + "): " + clip(read_file(log_path()), 400);
      auto answer = run_one<Answer>(
          [port = port_](asio::any_io_executor ex) -> task<Answer> {
            Conn conn(ex, port);
            co_return co_await conn.call(http::verb::get, "/health", "", 1s);
          },
          2s);
      if (answer && answer->ok(200)) return "";
      last = answer ? describe("GET /health", *answer) : "GET /health: no answer in 2 s";
      std::this_thread::sleep_for(20ms);
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
    g_server_pid = 0;
    return "no healthy answer within " + fixed(std::chrono::duration<double>(limit).count(), 0) +
           " s; last: " + last;
  }

  StoreKind kind_;
  jobq::testing::TempDir dir_{kDirPrefix};  // the database and the log
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

// What every row notes about the server and the client: the server's RSS at the end, the CPU
// both used during the measured part (they share the machine's cores), the threads and
// connections, and how the row ended.
struct Meter {
  Jobqd& server;
  double server_cpu0 = server.cpu_seconds();
  double client_cpu0 = client_cpu_seconds();

  std::string finish(int threads, int connections, bool client_finished, const Problems& problems) {
    std::int64_t rss = server.rss_bytes();
    double server_cpu = server.cpu_seconds() - server_cpu0;
    double client_cpu = client_cpu_seconds() - client_cpu0;
    std::string notes =
        "client: " + std::to_string(threads) + (threads == 1 ? " thread, " : " threads, ") +
        group(connections) + (connections == 1 ? " connection" : " connections") +
        "; jobqd VmRSS at the end " + (rss < 0 ? "unknown" : group(rss >> 20) + " MiB") +
        "; CPU s: jobqd " + fixed(server_cpu, 1) + ", client " + fixed(client_cpu, 1);
    if (!client_finished)
      notes = join(notes, "the client was still waiting " +
                              fixed(std::chrono::duration<double>(kHardGrace).count(), 0) +
                              " s after the time limit and was stopped (a stall)");
    notes = join(notes, problems.note());
    return join(notes, server.stop());
  }
};
}  // namespace bench
