// jobqd as the benchmark's child process (Jobqd), the servers of a row (Servers: one jobqd, or
// several on one redis-server), and what every row notes about them and the client (Meter).
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "http/conn.h"
#include "http/redis_child.h"
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

// jobqd as a child process (the launcher the client tests use too), over a fresh store (or, for
// the redis store, the given redis-server's), logging at warn level into a file of its own.
class Jobqd {
 public:
  Jobqd(const std::string& binary, const StoreKind& kind, const RedisChild* redis = nullptr)
      : kind_(kind) {
    std::vector<std::string> args = {"--log-level", "warn"};
    if (kind_.sqlite)
      args.insert(args.end(), {"--store", "sqlite://" + (dir_.path() / "jobq.db").string(),
                               "--sync", kind_.sync});
    else if (kind_.redis)
      args.insert(args.end(), {"--store", redis->url()});
    else
      args.insert(args.end(), {"--store", "memory:"});
    std::string why = child_.start(binary, args, log_path(), answers_health, 10s);
    if (!why.empty())
      die("jobqd did not start (" + describe_store() + "): " + why + ": " +
          clip(jobq::testing::read_text(log_path()), 400));
    note_child(child_.pid());
  }
  ~Jobqd() {
    forget_child(child_.pid());
    child_.kill_now();
  }
  Jobqd(const Jobqd&) = delete;
  Jobqd& operator=(const Jobqd&) = delete;

  std::uint16_t port() const { return std::uint16_t(child_.port()); }

  // VmRSS of the server now, in bytes; -1 if it is gone.
  std::int64_t rss_bytes() const {
    std::ifstream status("/proc/" + std::to_string(child_.pid()) + "/status");
    for (std::string line; std::getline(status, line);)
      if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6)) * 1024;
    return -1;
  }

  // User plus system CPU time the server has used so far.
  double cpu_seconds() const { return cpu_seconds_of(child_.pid()); }

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
    if (!how.empty()) forget_child(child_.pid());
    return how;
  }

  // SIGTERM and a wait for the exit; returns notes on anything unusual (a non-zero exit, a slow
  // stop, lines in its warn-level log), which also go to stderr in full.
  std::string stop() {
    std::string notes;
    if (child_.pid() > 0) {
      std::string early = exited();
      forget_child(child_.pid());
      if (!early.empty()) {
        notes = "jobqd was no longer running at the end of the row (" + early + ")";
      } else if (auto status = child_.stop(20s); !status) {
        notes = "jobqd did not exit within 20 s of SIGTERM (killed)";
      } else if (!(WIFEXITED(*status) && WEXITSTATUS(*status) == 0)) {
        notes = "jobqd ended with " + jobq::testing::exit_text(*status) + " after SIGTERM";
      }
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
  jobq::testing::ServerChild child_;
};

// The servers of one row: `nodes` jobqd over one store; for the redis store, the redis-server
// they share, started first and stopped last.
class Servers {
 public:
  Servers(const std::string& binary, const StoreKind& kind, int nodes = 1) : kind_(kind) {
    if (kind.redis) redis_ = std::make_unique<RedisChild>();
    else if (nodes != 1) die("several jobqd nodes need the redis store");
    for (int i = 0; i < nodes; ++i)
      nodes_.push_back(std::make_unique<Jobqd>(binary, kind, redis_.get()));
  }

  int size() const { return int(nodes_.size()); }
  Jobqd& node(int i) { return *nodes_[std::size_t(i % size())]; }
  // The port of node i mod size(): clients spread round-robin over the nodes.
  std::uint16_t port(int i = 0) const { return nodes_[std::size_t(i % size())]->port(); }
  const RedisChild* redis() const { return redis_.get(); }
  const StoreKind& kind() const { return kind_; }

  double jobqd_cpu_seconds() const {
    double sum = 0;
    for (const auto& n : nodes_) sum += n->cpu_seconds();
    return sum;
  }
  double redis_cpu_seconds() const { return redis_ ? Jobqd::cpu_seconds_of(redis_->pid()) : 0; }

  // Every node stopped: the notes of those with anything unusual to say.
  std::string stop() {
    std::string notes;
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      std::string n = nodes_[i]->stop();
      if (!n.empty()) notes = join(notes, size() == 1 ? n : "node " + std::to_string(i + 1) + ": " + n);
    }
    return notes;
  }

 private:
  StoreKind kind_;
  std::unique_ptr<RedisChild> redis_;
  std::vector<std::unique_ptr<Jobqd>> nodes_;
};

// What every row notes about the servers and the client: the servers' RSS at the end, the CPU
// each used during the measured part (they share the machine's cores), per item when the row
// says how many it did, the threads and connections, and how the row ended.
struct Meter {
  Servers& servers;
  double jobqd_cpu0 = servers.jobqd_cpu_seconds();
  double redis_cpu0 = servers.redis_cpu_seconds();
  double client_cpu0 = client_cpu_seconds();

  double jobqd_cpu() const { return servers.jobqd_cpu_seconds() - jobqd_cpu0; }
  double redis_cpu() const { return servers.redis_cpu_seconds() - redis_cpu0; }

  // `items` (jobs, requests) > 0 adds the CPU per item of each server.
  std::string finish(int threads, int connections, bool client_finished, const Problems& problems,
                     i64 items = 0) {
    std::string rss;
    for (int i = 0; i < servers.size(); ++i) {
      std::int64_t bytes = servers.node(i).rss_bytes();
      rss += (i ? ", " : "") + (bytes < 0 ? std::string("unknown") : group(bytes >> 20) + " MiB");
    }
    double jobqd = jobqd_cpu(), redis = redis_cpu();
    double client = client_cpu_seconds() - client_cpu0;
    std::string nodes = servers.size() == 1 ? "jobqd" : "jobqd (" + std::to_string(servers.size()) + " nodes)";
    std::string notes = "client: " + std::to_string(threads) +
                        (threads == 1 ? " thread, " : " threads, ") + group(connections) +
                        (connections == 1 ? " connection" : " connections") + "; " + nodes +
                        " VmRSS at the end " + rss + "; CPU s: " + nodes + " " + fixed(jobqd, 1) +
                        (servers.redis() ? ", redis-server " + fixed(redis, 1) : "") +
                        ", client " + fixed(client, 1);
    if (items > 0)
      notes += "; CPU per item: " + nodes + " " + fixed(1e6 * jobqd / double(items), 0) + " µs" +
               (servers.redis() ? ", redis-server " + fixed(1e6 * redis / double(items), 0) + " µs"
                                : "");
    if (!client_finished)
      notes = join(notes, "the client was still waiting " +
                              fixed(std::chrono::duration<double>(kHardGrace).count(), 0) +
                              " s after the time limit and was stopped (a stall)");
    notes = join(notes, problems.note());
    return join(notes, servers.stop());
  }
};
}  // namespace bench
