// jobqd as the benchmark's child process (Jobqd), and what every row notes about it and about
// the client when it ends (Meter).
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "http/conn.h"
#include "support/redis_server.h"
#include "support/server_child.h"

namespace bench {

// ---- the server ---------------------------------------------------------------------------------

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

// jobqd as a child process (the launcher the client tests use too), over a fresh store, logging
// at warn level into a file of its own.
class Jobqd {
 public:
  Jobqd(const std::string& binary, const StoreKind& kind) : kind_(kind) {
    std::vector<std::string> args = {"--log-level", "warn"};
    if (kind_.sqlite)
      args.insert(args.end(), {"--store", "sqlite://" + (dir_.path() / "jobq.db").string(),
                               "--sync", kind_.sync});
    else if (kind_.redis)
      args.insert(args.end(), {"--store", start_redis()});
    else
      args.insert(args.end(), {"--store", "memory:"});
    std::string why = child_.start(binary, args, log_path(), answers_health, 10s);
    if (!why.empty())
      die("jobqd did not start (" + describe_store() + "): " + why + ": " +
          clip(jobq::testing::read_text(log_path()), 400));
    g_server_pid = child_.pid();
  }
  ~Jobqd() {
    child_.kill_now();
    g_server_pid = 0;
    redis_.kill_now();
  }
  Jobqd(const Jobqd&) = delete;
  Jobqd& operator=(const Jobqd&) = delete;

  std::uint16_t port() const { return std::uint16_t(child_.port()); }
  bool with_redis() const { return kind_.redis; }

  // VmRSS of the server now, in bytes; -1 if it is gone.
  std::int64_t rss_bytes() const {
    std::ifstream status("/proc/" + std::to_string(child_.pid()) + "/status");
    for (std::string line; std::getline(status, line);)
      if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6)) * 1024;
    return -1;
  }

  // User plus system CPU time the server has used so far: jobqd's, and its redis-server's.
  double cpu_seconds() const {
    return cpu_seconds_of(child_.pid()) + (kind_.redis ? cpu_seconds_of(redis_.pid()) : 0.0);
  }

  static double cpu_seconds_of(pid_t pid) {
    std::string stat = jobq::testing::read_text("/proc/" + std::to_string(pid) + "/stat");
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
    std::string how = child_.exited();
    if (!how.empty()) g_server_pid = 0;  // so that die() kills no pid the system may reuse
    return how;
  }

  // SIGTERM and a wait for the exit; returns notes on anything unusual (a non-zero exit, a slow
  // stop, lines in its warn-level log), which also go to stderr in full.
  std::string stop() {
    std::string notes;
    if (child_.pid() > 0) {
      std::string early = exited();
      if (!early.empty()) {
        notes = "jobqd was no longer running at the end of the row (" + early + ")";
      } else if (auto status = child_.stop(20s); !status) {
        notes = "jobqd did not exit within 20 s of SIGTERM (killed)";
      } else if (!(WIFEXITED(*status) && WEXITSTATUS(*status) == 0)) {
        notes = "jobqd ended with " + jobq::testing::exit_text(*status) + " after SIGTERM";
      }
      g_server_pid = 0;
    }
    auto lines = lines_of(jobq::testing::read_text(log_path()));
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
  std::string describe_store() const { return kind_.label + ", port " + std::to_string(port()); }

  // A fresh redis-server in the row's directory: the URL jobqd is to use.
  std::string start_redis() {
    std::string why = redis_.start_with(
        "/usr/bin/redis-server",
        [this](int port) {
          return jobq::testing::redis_server_args(port, dir_.path().string(), /*aof=*/true);
        },
        dir_.path() / "redis.log", jobq::testing::redis_answers_ping, 10s);
    if (!why.empty()) die("redis-server did not start: " + why);
    return "redis://127.0.0.1:" + std::to_string(redis_.port()) + "/0";
  }

  // GET /health answers 200.
  static bool answers_health(int port) {
    auto answer = run_one<Answer>(
        [port](asio::any_io_executor ex) -> task<Answer> {
          Conn conn(ex, std::uint16_t(port));
          co_return co_await conn.call(http::verb::get, "/health", "", 1s);
        },
        2s);
    return answer && answer->ok(200);
  }

  StoreKind kind_;
  jobq::testing::TempDir dir_{kDirPrefix};  // the database and the log
  jobq::testing::ServerChild redis_;        // with kind_.redis; started before jobqd, stopped after
  jobq::testing::ServerChild child_;
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
        "; CPU s: " + (server.with_redis() ? "jobqd and redis-server " : "jobqd ") +
        fixed(server_cpu, 1) + ", client " + fixed(client_cpu, 1);
    if (!client_finished)
      notes = join(notes, "the client was still waiting " +
                              fixed(std::chrono::duration<double>(kHardGrace).count(), 0) +
                              " s after the time limit and was stopped (a stall)");
    notes = join(notes, problems.note());
    return join(notes, server.stop());
  }
};
}  // namespace bench
