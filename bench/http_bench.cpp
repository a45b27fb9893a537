// http_bench MODE JOBQD [ROWS]: measures the real jobqd binary over HTTP, and prints one markdown
// table in the format of engine_bench. MODE is "smoke" (tiny counts, a few seconds: proves the
// harness runs) or "full" (the real counts; minutes). JOBQD is the server binary. ROWS, optional,
// is a comma-separated subset of: ceiling, submits, batch, lifecycles, batched, latency, ws.
//
// Each row starts its own jobqd as a child process on a free loopback port, over a fresh store
// (sqlite in a new directory under /tmp, removed afterwards, or memory:), waits for GET /health,
// drives it with its own client (Boost.Beast on Asio coroutines, keep-alive connections spread
// over a few client threads, each thread with an io_context of its own), reads the server's
// VmRSS and CPU time, and stops it with SIGTERM.
//
// Every loop stops at its count or at its time limit, whichever comes first; every request has a
// timeout of its own, and a row whose client is still busy well after its limit is stopped by
// force and says so. A call that fails (a transport error or an unexpected status) is counted,
// the first few are printed on stderr and named in the row's notes, and the row goes on.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "report.h"
#include "support/temp_dir.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using namespace bench;  // report.h: rows, deadlines, number formatting

template <class T = void>
using task = asio::awaitable<T>;
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

const std::string kPayload = R"({"n":1})";
const std::string kJob = R"({"type":"bench","payload":{"n":1}})";

// ---- counts and limits per mode -----------------------------------------------------------------

struct Counts {
  int single_submits;      // one job per POST /jobs
  int batched_submits;     // POST /jobs/batch of 100
  int lifecycles_single;   // one call per step
  int lifecycles_batched;  // batches of 100, leases of up to 100, one /ack per lease
  int latency_samples;
};

struct Mode {
  std::string name;
  Counts memory, full, normal;
  int ws_watchers, ws_jobs;
  std::chrono::seconds limit;  // per row
};

const Mode kSmoke{"smoke",
                  {200, 1000, 300, 1000, 20},
                  {200, 1000, 300, 1000, 20},
                  {200, 1000, 300, 1000, 20},
                  100,
                  5,
                  10s};

// sync=full pays one fsync per group commit (0.1 to 4 ms on the 2-core VM this was tuned on), so
// its counts are smaller.
const Mode kFull{"full",
                 {200'000, 1'000'000, 200'000, 1'000'000, 5000},
                 {30'000, 300'000, 30'000, 300'000, 2000},
                 {100'000, 500'000, 100'000, 500'000, 5000},
                 1000,
                 500,
                 30s};

constexpr int kClientThreads = 2;  // the machine this was tuned on has 2 cores, shared with jobqd
constexpr int kSubmitConns = 16;   // single submits
constexpr int kBatchConns = 4;     // batch submits
constexpr int kBatch = 100;
constexpr int kSingleProducers = 8, kSingleWorkers = 8;    // lifecycles, one call per step
constexpr int kBatchedProducers = 4, kBatchedWorkers = 4;  // lifecycles, batched
constexpr auto kCallTimeout = 10s;  // any one request, beyond its own wait_ms
constexpr auto kHardGrace = 25s;    // a row's client is stopped by force at its limit plus this

// ---- the stores ---------------------------------------------------------------------------------

struct StoreKind {
  std::string label;
  bool sqlite;
  std::string sync;  // "full" or "normal", for sqlite
};

const StoreKind kMemory{"memory", false, ""};
const StoreKind kSqliteFull{"sqlite sync=full", true, "full"};
const StoreKind kSqliteNormal{"sqlite sync=normal", true, "normal"};

// ---- fatal errors -------------------------------------------------------------------------------

std::atomic<pid_t> g_server_pid{0};  // the running jobqd, killed by die()

[[noreturn]] void die(const std::string& what) {
  std::fflush(stdout);
  std::fprintf(stderr, "http_bench: %s\n", what.c_str());
  if (pid_t pid = g_server_pid.load(); pid > 0) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  jobq::testing::TempDir::remove_all_live();
  std::_Exit(1);
}

std::string clip(std::string s, std::size_t n = 160) {
  for (char& c : s)
    if (c == '\n' || c == '\r' || c == '|') c = ' ';  // notes live in a markdown table cell
  if (s.size() > n) s = s.substr(0, n) + "…";
  return s;
}

double client_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Why a row did less than it was asked: its time limit, or (with failed calls) not.
std::string shortfall(i64 done, i64 asked, const Deadline& deadline) {
  if (done >= asked) return "";
  if (deadline.passed()) return cut_note(done, asked);
  return "only " + group(done) + " of " + group(asked) + " done";
}

// ---- one keep-alive HTTP connection -------------------------------------------------------------

struct Answer {
  int status = 0;     // 0: no answer (error says why)
  std::string error;  // transport error
  std::string body;
  bool ok(int want) const { return error.empty() && status == want; }
};

std::string describe(std::string_view call, const Answer& a) {
  if (!a.error.empty()) return std::string(call) + ": " + a.error;
  return std::string(call) + ": HTTP " + std::to_string(a.status) + " " + clip(a.body);
}

// Requests are sent one at a time; send() and receive() are apart so that a caller can start
// the clock between them, or do something else while the answer is on its way.
class Conn {
 public:
  Conn(asio::any_io_executor ex, std::uint16_t port)
      : stream_(ex), port_(port), host_("127.0.0.1:" + std::to_string(port)) {}

  task<Answer> call(http::verb verb, std::string_view target, std::string body,
                    Steady::duration timeout = kCallTimeout) {
    std::string e = co_await send(verb, target, std::move(body), timeout);
    if (!e.empty()) co_return Answer{0, e, {}};
    co_return co_await receive(timeout);
  }

  // "" once the whole request is written.
  task<std::string> send(http::verb verb, std::string_view target, std::string body,
                         Steady::duration timeout = kCallTimeout) {
    if (!connected_) {
      stream_.expires_after(kCallTimeout);
      auto [ec] = co_await stream_.async_connect(
          tcp::endpoint(asio::ip::address_v4::loopback(), port_), nothrow);
      if (ec) co_return "connect: " + ec.message();
      stream_.socket().set_option(tcp::no_delay(true));
      buffer_.clear();
      connected_ = true;
    }
    request_ = {};
    request_.method(verb);
    request_.target(beast::string_view(target.data(), target.size()));
    request_.version(11);
    request_.set(http::field::host, host_);
    request_.keep_alive(true);
    if (!body.empty() || verb == http::verb::post) {
      request_.set(http::field::content_type, "application/json");
      request_.body() = std::move(body);
    }
    request_.prepare_payload();
    stream_.expires_after(timeout);
    auto [ec, n] = co_await http::async_write(stream_, request_, nothrow);
    if (ec) {
      reset();
      co_return "write: " + ec.message();
    }
    co_return "";
  }

  task<Answer> receive(Steady::duration timeout = kCallTimeout) {
    http::response<http::string_body> res;
    stream_.expires_after(timeout);
    auto [ec, n] = co_await http::async_read(stream_, buffer_, res, nothrow);
    if (ec) {
      reset();
      co_return Answer{0, "read: " + ec.message(), {}};
    }
    if (!res.keep_alive()) reset();
    co_return Answer{int(res.result_int()), {}, std::move(res.body())};
  }

 private:
  void reset() {
    beast::error_code ignored;
    stream_.socket().close(ignored);
    connected_ = false;
  }
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  std::uint16_t port_;
  std::string host_;
  bool connected_ = false;
};

// Runs one coroutine on an io_context of its own, for at most `limit`.
template <class T>
std::optional<T> run_one(std::function<task<T>(asio::any_io_executor)> make,
                         Steady::duration limit) {
  asio::io_context io(1);
  std::optional<T> out;
  asio::co_spawn(
      io, [&]() -> task<> { out = co_await make(io.get_executor()); }, asio::detached);
  io.run_for(limit);
  return out;
}

// ---- the failures of a row ----------------------------------------------------------------------

class Problems {
 public:
  // Returns false once there were so many that the row should give up.
  bool add(const std::string& what) {
    i64 n = ++count_;
    if (n <= 5) std::fprintf(stderr, "http_bench: %s\n", what.c_str());
    if (n <= 3) {
      std::lock_guard lock(mutex_);
      first_.push_back(what);
    }
    return n <= kGiveUp;
  }
  bool gave_up() const { return count_.load() > kGiveUp; }
  i64 count() const { return count_.load(); }
  std::string note() const {
    i64 n = count_.load();
    if (n == 0) return "";
    std::lock_guard lock(mutex_);
    std::string out = group(n) + (n == 1 ? " failed call" : " failed calls");
    if (n > kGiveUp) out += " (the row gave up)";
    out += ", first: ";
    for (std::size_t i = 0; i < first_.size(); ++i) out += (i ? " / " : "") + clip(first_[i], 200);
    return out;
  }

 private:
  static constexpr i64 kGiveUp = 1000;
  std::atomic<i64> count_{0};
  mutable std::mutex mutex_;
  std::vector<std::string> first_;
};

// ---- the client threads -------------------------------------------------------------------------

// A few threads, each running an io_context of its own; connections are spread over them.
class Clients {
 public:
  explicit Clients(int threads) {
    for (int i = 0; i < threads; ++i) ios_.push_back(std::make_unique<asio::io_context>(1));
  }
  int threads() const { return int(ios_.size()); }
  asio::any_io_executor executor(int i) {
    return ios_[std::size_t(i) % ios_.size()]->get_executor();
  }
  template <class F>
  void spawn(int i, F&& coroutine) {
    asio::co_spawn(executor(i), std::forward<F>(coroutine), [](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& x) {
        die(std::string("client coroutine threw: ") + x.what());
      }
    });
  }
  // Runs every io_context on its own thread until all their coroutines end, or stops them at
  // `hard_limit`; returns false when it had to stop them.
  bool run(Steady::duration hard_limit) {
    std::mutex m;
    std::condition_variable cv;
    std::size_t running = ios_.size();
    std::vector<std::thread> threads;
    for (auto& io : ios_)
      threads.emplace_back([&, ioc = io.get()] {
        ioc->run();
        std::lock_guard lock(m);
        if (--running == 0) cv.notify_all();
      });
    bool finished;
    {
      std::unique_lock lock(m);
      finished = cv.wait_for(lock, hard_limit, [&] { return running == 0; });
    }
    if (!finished)
      for (auto& io : ios_) io->stop();
    for (auto& t : threads) t.join();
    return finished;
  }

 private:
  std::vector<std::unique_ptr<asio::io_context>> ios_;
};

// ---- the server ---------------------------------------------------------------------------------

std::uint16_t free_port() {
  asio::io_context io;
  tcp::acceptor a(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  return a.local_endpoint().port();
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

std::string exit_text(int status) {
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

// ---- JSON bodies and answers --------------------------------------------------------------------

std::string batch_body(int n) {
  std::string body = R"({"jobs":[)";
  for (int i = 0; i < n; ++i) body += (i ? "," : "") + kJob;
  return body + "]}";
}

std::string lease_body(const std::string& worker, int max_jobs, int wait_ms) {
  return json::serialize(
      json::object{{"worker_id", worker}, {"max_jobs", max_jobs}, {"wait_ms", wait_ms}});
}

struct Leased {
  std::string id, token;
};

// The jobs of a lease answer; nullopt if it is not one.
std::optional<std::vector<Leased>> leased_jobs(const std::string& body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  auto* jobs = v.get_object().if_contains("jobs");
  if (!jobs || !jobs->is_array()) return std::nullopt;
  std::vector<Leased> out;
  for (auto& j : jobs->get_array()) {
    auto* o = j.if_object();
    if (!o) return std::nullopt;
    auto* id = o->if_contains("id");
    auto* token = o->if_contains("lease_token");
    if (!id || !id->is_string() || !token || !token->is_string()) return std::nullopt;
    out.push_back({std::string(id->get_string()), std::string(token->get_string())});
  }
  return out;
}

std::optional<std::string> job_id(const std::string& body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  auto* id = v.get_object().if_contains("id");
  if (!id || !id->is_string()) return std::nullopt;
  return std::string(id->get_string());
}

std::string complete_target(const std::string& id) {
  return "/api/v1/jobs/" + id + "/complete";
}

std::string complete_body(const std::string& token) {
  return json::serialize(json::object{{"lease_token", token}});
}

std::string numbered_job(i64 n) {
  return R"({"type":"bench","payload":{"n":)" + std::to_string(n) + "}}";
}

std::string ack_body(const std::vector<Leased>& jobs) {
  json::array complete;
  for (const auto& j : jobs)
    complete.push_back(json::object{{"id", j.id}, {"lease_token", j.token}});
  return json::serialize(json::object{{"complete", std::move(complete)}});
}

// How many entries of an /ack answer are ok, and the first error among the others.
std::pair<int, std::string> ack_outcome(const std::string& body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return {0, "not JSON: " + clip(body)};
  auto* results = v.get_object().if_contains("results");
  if (!results || !results->is_array()) return {0, "no results: " + clip(body)};
  int ok = 0;
  std::string first_error;
  for (auto& r : results->get_array()) {
    auto* o = r.if_object();
    auto* good = o ? o->if_contains("ok") : nullptr;
    if (good && good->is_bool() && good->get_bool())
      ++ok;
    else if (first_error.empty())
      first_error = clip(json::serialize(r));
  }
  return {ok, first_error};
}

// ---- 1, 2. submits/s ----------------------------------------------------------------------------

struct SubmitState {
  Deadline deadline;
  std::uint16_t port;
  int batch;
  std::atomic<i64> done{0};
  Problems problems;
};

task<> submitter(SubmitState& s, i64 share) {
  Conn conn(co_await asio::this_coro::executor, s.port);
  const std::string full_batch = s.batch == 1 ? kJob : batch_body(s.batch);
  const char* target = s.batch == 1 ? "/api/v1/jobs" : "/api/v1/jobs/batch";
  for (i64 mine = 0; mine < share && !s.deadline.passed() && !s.problems.gave_up();) {
    int k = int(std::min<i64>(s.batch, share - mine));
    // (Built apart: GCC 12 destroys the temporaries of a ?: inside a co_await expression twice.)
    std::string body = k == s.batch ? full_batch : batch_body(k);
    Answer a = co_await conn.call(http::verb::post, target, std::move(body));
    if (a.ok(201))
      s.done += k;
    else
      s.problems.add(describe(std::string("POST ") + target, a));
    mine += k;
  }
}

Row submits(const std::string& binary, const StoreKind& kind, int n, int batch, int conns,
            Steady::duration limit) {
  Jobqd server(binary, kind);
  Meter meter{server};
  SubmitState s{Deadline(limit), server.port(), batch};
  Clients clients(kClientThreads);
  for (int c = 0; c < conns; ++c) clients.spawn(c, submitter(s, n / conns + (c < n % conns)));
  auto start = Steady::now();
  bool finished = clients.run(limit + kHardGrace);
  double secs = seconds_since(start);
  i64 done = s.done.load();

  Row r;
  r.measurement =
      batch == 1 ? "submits/s, one job per POST /jobs, " + std::to_string(conns) + " connections"
                 : "submits/s, POST /jobs/batch of " + std::to_string(batch) + ", " +
                       std::to_string(conns) + " connections";
  r.store = kind.label;
  r.result = group(std::llround(double(done) / secs)) + " /s";
  r.n = done;
  r.seconds = secs;
  r.notes = join(shortfall(done, n, s.deadline),
                 meter.finish(clients.threads(), conns, finished, s.problems));
  return r;
}

// ---- 0. the ceiling: HTTP round trips with no store work ----------------------------------------

struct RoundTripState {
  Deadline deadline;
  std::uint16_t port;
  std::atomic<i64> done{0};
  Problems problems;
};

task<> round_tripper(RoundTripState& s, i64 share) {
  Conn conn(co_await asio::this_coro::executor, s.port);
  for (i64 mine = 0; mine < share && !s.deadline.passed() && !s.problems.gave_up(); ++mine) {
    std::string no_body;  // named: GCC 12 mishandles temporaries inside a co_await expression
    Answer a = co_await conn.call(http::verb::get, "/api/v1/health", std::move(no_body));
    if (a.ok(200))
      ++s.done;
    else
      s.problems.add(describe("GET /api/v1/health", a));
  }
}

// What this machine, this client and jobqd's HTTP layer allow at all: a single-call lifecycle is
// three such round trips plus the store's work, so a third of this bounds the lifecycles row.
Row round_trips(const std::string& binary, int n, int conns, Steady::duration limit) {
  Jobqd server(binary, kMemory);
  Meter meter{server};
  RoundTripState s{Deadline(limit), server.port()};
  Clients clients(kClientThreads);
  for (int c = 0; c < conns; ++c) clients.spawn(c, round_tripper(s, n / conns + (c < n % conns)));
  auto start = Steady::now();
  bool finished = clients.run(limit + kHardGrace);
  double secs = seconds_since(start);
  i64 done = s.done.load();
  Row r;
  r.measurement = "HTTP round trips/s with no store work: GET /api/v1/health, " +
                  std::to_string(conns) + " connections (the ceiling: a single-call lifecycle "
                  "takes three round trips)";
  r.store = "none";
  r.result = group(std::llround(double(done) / secs)) + " /s";
  r.n = done;
  r.seconds = secs;
  r.notes = join(join(shortfall(done, n, s.deadline),
                      "a third of it: " + group(std::llround(double(done) / secs / 3)) +
                          " lifecycles/s at most"),
                 meter.finish(clients.threads(), conns, finished, s.problems));
  return r;
}

// ---- 3. lifecycles/s ----------------------------------------------------------------------------

struct LifecycleState {
  Deadline deadline;
  std::uint16_t port;
  bool batched;
  int producers;
  std::atomic<i64> submitted{0}, leased{0}, completed{0};
  std::atomic<int> producers_done{0};
  std::atomic<Steady::rep> last_done{0};  // the run ends at the last completion
  Problems problems;

  bool over() const { return deadline.passed() || problems.gave_up(); }
  void note_completion(i64 k) {
    completed += k;
    auto now = Steady::now().time_since_epoch().count();
    auto seen = last_done.load();
    while (seen < now && !last_done.compare_exchange_weak(seen, now)) {
    }
  }
};

task<> lifecycle_producer(LifecycleState& s, i64 share) {
  Conn conn(co_await asio::this_coro::executor, s.port);
  int batch = s.batched ? kBatch : 1;
  const std::string full_batch = batch_body(batch);
  for (i64 mine = 0; mine < share && !s.over();) {
    int k = int(std::min<i64>(batch, share - mine));
    std::string body = !s.batched ? kJob : k == batch ? full_batch : batch_body(k);
    std::string_view target = s.batched ? "/api/v1/jobs/batch" : "/api/v1/jobs";
    Answer a = co_await conn.call(http::verb::post, target, std::move(body));
    if (a.ok(201))
      s.submitted += k;
    else
      s.problems.add(describe("POST " + std::string(target), a));
    mine += k;
  }
  ++s.producers_done;
}

task<> lifecycle_worker(LifecycleState& s, int w) {
  Conn conn(co_await asio::this_coro::executor, s.port);
  constexpr int kWaitMs = 1000;
  const std::string lease =
      lease_body("bench-worker-" + std::to_string(w), s.batched ? kBatch : 1, kWaitMs);
  while (!s.over()) {
    if (s.producers_done.load() == s.producers && s.leased.load() >= s.submitted.load()) break;
    Answer a = co_await conn.call(http::verb::post, "/api/v1/lease", lease,
                                  std::chrono::milliseconds(kWaitMs) + kCallTimeout);
    if (!a.ok(200)) {
      s.problems.add(describe("POST /api/v1/lease", a));
      continue;
    }
    auto jobs = leased_jobs(a.body);
    if (!jobs) {
      s.problems.add("POST /api/v1/lease: not a lease answer: " + clip(a.body));
      continue;
    }
    if (jobs->empty()) continue;
    s.leased += i64(jobs->size());
    if (s.batched) {
      Answer acked = co_await conn.call(http::verb::post, "/api/v1/ack", ack_body(*jobs));
      if (!acked.ok(200)) {
        s.problems.add(describe("POST /api/v1/ack", acked));
        continue;
      }
      auto [ok, error] = ack_outcome(acked.body);
      if (ok != int(jobs->size()))
        s.problems.add("POST /api/v1/ack: " + std::to_string(ok) + " of " +
                       std::to_string(jobs->size()) + " ok; " + error);
      s.note_completion(ok);
    } else {
      for (const Leased& job : *jobs) {
        // (Built apart: GCC 12 miscompiles "literal" + string inside a co_await expression.)
        std::string target = complete_target(job.id);
        std::string body = complete_body(job.token);
        Answer done = co_await conn.call(http::verb::post, target, std::move(body));
        if (done.ok(200))
          s.note_completion(1);
        else
          s.problems.add(describe("POST /api/v1/jobs/{id}/complete", done));
      }
    }
  }
}

Row lifecycles(const std::string& binary, const StoreKind& kind, int n, bool batched,
               Steady::duration limit) {
  Jobqd server(binary, kind);
  Meter meter{server};
  int producers = batched ? kBatchedProducers : kSingleProducers;
  int workers = batched ? kBatchedWorkers : kSingleWorkers;
  LifecycleState s{Deadline(limit), server.port(), batched, producers};
  Clients clients(kClientThreads);
  for (int p = 0; p < producers; ++p)
    clients.spawn(p, lifecycle_producer(s, n / producers + (p < n % producers)));
  for (int w = 0; w < workers; ++w) clients.spawn(w, lifecycle_worker(s, w));
  auto start = Steady::now();
  bool finished = clients.run(limit + kHardGrace);
  i64 done = s.completed.load();
  double secs = done == 0 ? seconds_since(start)
                          : std::chrono::duration<double>(
                                Steady::time_point(Steady::duration(s.last_done.load())) - start)
                                .count();

  Row r;
  r.measurement =
      batched ? "lifecycles/s, batched: " + std::to_string(producers) +
                    " producers POST /jobs/batch of " + std::to_string(kBatch) + ", " +
                    std::to_string(workers) + " workers POST /lease (max_jobs " +
                    std::to_string(kBatch) + ", wait_ms 1000) and one POST /ack per lease"
              : "lifecycles/s, one call per step: " + std::to_string(producers) +
                    " producers POST /jobs, " + std::to_string(workers) +
                    " workers POST /lease (max_jobs 1, wait_ms 1000) and POST /jobs/{id}/complete";
  r.store = kind.label;
  r.result = group(std::llround(double(done) / secs)) + " /s";
  r.n = done;
  r.seconds = secs;
  r.target = batched ? "≥ 60,000 /s" : "≥ 20,000 /s";
  r.met = double(done) / secs >= (batched ? 60'000 : 20'000);
  r.notes = join(shortfall(done, n, s.deadline),
                 meter.finish(clients.threads(), producers + workers, finished, s.problems));
  return r;
}

// ---- 4. submit to a waiting long-poll lease -----------------------------------------------------

struct LatencyState {
  Deadline deadline;
  std::uint16_t port;
  int samples;
  int taken = 0;
  std::vector<double> micros;
  Problems problems;
};

task<> receive_into(Conn& conn, Answer& out, Steady::time_point& at, Steady::duration timeout) {
  out = co_await conn.receive(timeout);
  at = Steady::now();
}

task<> call_into(Conn& conn, Answer& out, std::string_view target, std::string body) {
  out = co_await conn.call(http::verb::post, target, std::move(body));
}

// One coroutine plays both sides, on two connections: it sends the worker's lease (wait_ms 5000,
// max_jobs 1), gives the server a millisecond to register it, notes the time, sends one submit,
// and waits for both answers at once. A sample ends when the lease answer has been read. The
// worker then completes the job, so that no job is ready when the next lease arrives.
task<> latency_loop(LatencyState& s) {
  using namespace asio::experimental::awaitable_operators;
  auto ex = co_await asio::this_coro::executor;
  Conn worker(ex, s.port), producer(ex, s.port);
  const std::string lease = lease_body("bench-waiter", 1, 5000);
  asio::steady_timer pause(ex);
  for (int i = 0; i < s.samples && !s.deadline.passed() && !s.problems.gave_up(); ++i) {
    ++s.taken;
    std::string sent = co_await worker.send(http::verb::post, "/api/v1/lease", lease, 15s);
    if (!sent.empty()) {
      s.problems.add("POST /api/v1/lease: " + sent);
      continue;
    }
    pause.expires_after(1ms);
    co_await pause.async_wait(nothrow);
    Answer leased, submitted;
    Steady::time_point got;
    auto t0 = Steady::now();
    co_await (receive_into(worker, leased, got, 15s) &&
              call_into(producer, submitted, "/api/v1/jobs", kJob));
    if (!submitted.ok(201)) s.problems.add(describe("POST /api/v1/jobs", submitted));
    if (!leased.ok(200)) {
      s.problems.add(describe("POST /api/v1/lease (wait_ms 5000)", leased));
      continue;
    }
    auto jobs = leased_jobs(leased.body);
    if (!jobs || jobs->size() != 1) {
      s.problems.add("POST /api/v1/lease (wait_ms 5000): expected one job, got " +
                     clip(leased.body));
      continue;
    }
    auto id = job_id(submitted.body);
    if (id && *id != jobs->front().id)
      s.problems.add("the waiting lease got job " + jobs->front().id + ", not the one submitted, " +
                     *id);
    else
      s.micros.push_back(std::chrono::duration<double, std::micro>(got - t0).count());
    std::string target = complete_target(jobs->front().id);
    std::string body = complete_body(jobs->front().token);
    Answer done = co_await worker.call(http::verb::post, target, std::move(body));
    if (!done.ok(200)) s.problems.add(describe("POST /api/v1/jobs/{id}/complete", done));
  }
}

Row latency(const std::string& binary, const StoreKind& kind, int samples, Steady::duration limit) {
  Jobqd server(binary, kind);
  Meter meter{server};
  LatencyState s{Deadline(limit), server.port(), samples};
  Clients clients(1);
  clients.spawn(0, latency_loop(s));
  auto start = Steady::now();
  bool finished = clients.run(limit + kHardGrace);
  double secs = seconds_since(start);

  Row r;
  r.measurement =
      "submit → waiting long-poll lease (wait_ms 5000, max_jobs 1), latency p50 / p99 / max";
  r.store = kind.label;
  double p99 = percentile(s.micros, 0.99);
  r.result = fixed(percentile(s.micros, 0.5), 0) + " / " + fixed(p99, 0) + " / " +
             fixed(percentile(s.micros, 1.0), 0) + " µs";
  r.n = i64(s.micros.size());
  r.seconds = secs;
  if (kind.sqlite && kind.sync == "normal") {
    r.target = "p99 ≤ 2,000 µs";
    r.met = !s.micros.empty() && p99 <= 2000;
  }
  r.notes = join(shortfall(s.taken, samples, s.deadline),
                 meter.finish(clients.threads(), 2, finished, s.problems));
  return r;
}

// ---- 5. WebSocket fan-out -----------------------------------------------------------------------

const char* kEventsTarget = "/api/v1/events/ws";
using WsStream = websocket::stream<beast::tcp_stream>;

// Connects and upgrades; "" on success, else why not. `status` gets the HTTP status of a
// declined upgrade.
task<std::string> ws_open(WsStream& ws, std::uint16_t port, int& status) {
  auto& tcp_layer = beast::get_lowest_layer(ws);
  tcp_layer.expires_after(kCallTimeout);
  auto [ec] = co_await tcp_layer.async_connect(
      tcp::endpoint(asio::ip::address_v4::loopback(), port), nothrow);
  if (ec) co_return "connect: " + ec.message();
  tcp_layer.socket().set_option(tcp::no_delay(true));
  tcp_layer.expires_never();  // the websocket stream times its handshake itself
  websocket::stream_base::timeout t{};
  t.handshake_timeout = kCallTimeout;
  t.idle_timeout = websocket::stream_base::none();
  t.keep_alive_pings = false;
  ws.set_option(t);
  websocket::response_type res;
  auto [hec] =
      co_await ws.async_handshake(res, "127.0.0.1:" + std::to_string(port), kEventsTarget, nothrow);
  if (hec) {
    status = int(res.result_int());
    co_return "upgrade: " + hec.message() +
        (status ? " (HTTP " + std::to_string(status) + " " + clip(res.body()) + ")" : "");
  }
  co_return "";
}

struct FanoutState {
  Deadline deadline;
  std::uint16_t port;
  int watchers, jobs;
  std::vector<std::atomic<Steady::rep>> sent_at;  // per job, just before its submit was sent
  std::vector<std::vector<double>> delays_us;     // per watcher
  std::atomic<int> opened{0}, open_failed{0}, probe_seen{0}, finished{0};
  std::atomic<i64> messages{0};   // every frame, the probe's included
  std::atomic<int> submitted{0};  // jobs answered 201 (the probe not included)
  std::atomic<Steady::rep> first_submit{0}, last_message{0};
  double submit_seconds = 0;  // the submits alone
  std::atomic<bool> submitting{false};
  double open_seconds = 0;
  Problems problems;

  FanoutState(Steady::duration limit, std::uint16_t p, int w, int j)
      : deadline(limit),
        port(p),
        watchers(w),
        jobs(j),
        sent_at(std::size_t(j)),
        delays_us(std::size_t(w)) {}
};

// The payload's "n" of the job in an event frame, when the event is "submitted".
std::optional<i64> submitted_n(std::string_view frame, std::string& error) {
  boost::system::error_code ec;
  json::value v = json::parse(frame, ec);
  const json::object* o = v.if_object();
  const json::value* event = o ? o->if_contains("event") : nullptr;
  const json::value* job = o ? o->if_contains("job") : nullptr;
  if (ec || !event || !event->is_string() || !job || !job->is_object()) {
    error = "not an event frame: " + clip(std::string(frame));
    return std::nullopt;
  }
  if (event->get_string() != "submitted") return std::nullopt;
  const json::value* payload = job->get_object().if_contains("payload");
  const json::value* n =
      payload && payload->is_object() ? payload->get_object().if_contains("n") : nullptr;
  if (!n || !n->is_int64()) return std::nullopt;  // not one of ours
  return n->get_int64();
}

task<> watcher(FanoutState& s, int w) {
  WsStream ws(co_await asio::this_coro::executor);
  int status = 0;
  std::string e = co_await ws_open(ws, s.port, status);
  if (!e.empty()) {
    s.problems.add("GET " + std::string(kEventsTarget) + ": " + e);
    ++s.open_failed;
    co_return;
  }
  ++s.opened;
  // From here the row's deadline bounds every read.
  beast::get_lowest_layer(ws).expires_at(s.deadline.end);
  std::vector<char> seen(std::size_t(s.jobs), 0);
  int got = 0;
  bool probe = false;
  i64 frames = 0;
  beast::flat_buffer buffer;
  std::string error;
  auto& mine = s.delays_us[std::size_t(w)];
  while (got < s.jobs) {
    auto [ec, n] = co_await ws.async_read(buffer, nothrow);
    if (ec) {
      s.problems.add("watcher " + std::to_string(w) + " read: " + ec.message() + " after " +
                     std::to_string(got) + " of " + std::to_string(s.jobs) + " submitted events");
      break;
    }
    auto now = Steady::now();
    ++frames;
    auto k = submitted_n(beast::buffers_to_string(buffer.data()), error);
    buffer.consume(buffer.size());
    if (!error.empty()) {
      s.problems.add("watcher " + std::to_string(w) + ": " + error);
      error.clear();
    }
    if (!k) continue;
    if (*k == -1 && !probe) {
      probe = true;
      ++s.probe_seen;
    } else if (*k >= 0 && *k < s.jobs && !seen[std::size_t(*k)]) {
      seen[std::size_t(*k)] = 1;
      ++got;
      auto sent = s.sent_at[std::size_t(*k)].load();
      if (sent != 0)
        mine.push_back(std::chrono::duration<double, std::micro>(
                           now - Steady::time_point(Steady::duration(sent)))
                           .count());
      auto t = now.time_since_epoch().count();
      auto last = s.last_message.load();
      while (last < t && !s.last_message.compare_exchange_weak(last, t)) {
      }
    }
  }
  s.messages += frames;
  ++s.finished;
  beast::get_lowest_layer(ws).expires_after(2s);
  co_await ws.async_close(websocket::close_code::normal, nothrow);
}

// Waits (polling) until `done()` or the deadline; false at the deadline.
template <class F>
task<bool> wait_until(F done, const Deadline& deadline) {
  asio::steady_timer t(co_await asio::this_coro::executor);
  while (!done()) {
    if (deadline.passed()) co_return false;
    t.expires_after(2ms);
    co_await t.async_wait(nothrow);
  }
  co_return true;
}

// Waits for every watcher to open, submits a probe job until every watcher has seen it (the
// watchers are subscribed), then submits the jobs one after another on one connection.
task<> fanout_producer(FanoutState& s) {
  Conn conn(co_await asio::this_coro::executor, s.port);
  auto open_start = Steady::now();
  co_await wait_until([&] { return s.opened + s.open_failed >= s.watchers; }, s.deadline);
  s.open_seconds = seconds_since(open_start);
  if (s.opened == 0) co_return;
  Answer probe = co_await conn.call(http::verb::post, "/api/v1/jobs",
                                    R"({"type":"bench-probe","payload":{"n":-1}})");
  if (!probe.ok(201)) s.problems.add(describe("POST /api/v1/jobs (probe)", probe));
  if (!co_await wait_until([&] { return s.probe_seen >= s.opened; }, s.deadline))
    s.problems.add("only " + std::to_string(s.probe_seen.load()) + " of " +
                   std::to_string(s.opened.load()) + " watchers saw the probe job's event");
  auto first = Steady::now();
  s.first_submit = first.time_since_epoch().count();
  for (int k = 0; k < s.jobs && !s.deadline.passed() && !s.problems.gave_up(); ++k) {
    s.sent_at[std::size_t(k)] = Steady::now().time_since_epoch().count();
    std::string body = numbered_job(k);
    Answer a = co_await conn.call(http::verb::post, "/api/v1/jobs", std::move(body));
    if (a.ok(201))
      ++s.submitted;
    else
      s.problems.add(describe("POST /api/v1/jobs", a));
  }
  s.submit_seconds = seconds_since(first);
}

Row fanout(const std::string& binary, const StoreKind& kind, int watchers, int jobs,
           Steady::duration limit) {
  Row r;
  r.measurement = "WebSocket fan-out of GET " + std::string(kEventsTarget) + " to " +
                  group(watchers) +
                  " watchers: messages delivered/s; submit → `submitted` event "
                  "at each watcher, p50 / p99 / max";
  r.store = kind.label;
  Jobqd server(binary, kind);
  Meter meter{server};

  // Is the route there at all?
  int status = 0;
  auto first = run_one<std::string>(
      [&](asio::any_io_executor ex) -> task<std::string> {
        WsStream ws(ex);
        std::string e = co_await ws_open(ws, server.port(), status);
        if (e.empty()) {
          beast::get_lowest_layer(ws).expires_after(2s);
          co_await ws.async_close(websocket::close_code::normal, nothrow);
        }
        co_return e;
      },
      15s);
  if (!first || !first->empty()) {
    std::string why = first ? *first : "no answer in 15 s";
    bool missing = status == 404;
    r.result = missing ? "skipped" : "failed";
    Problems none;
    r.notes = join(missing ? "route not available: " + why : "the first upgrade failed: " + why,
                   meter.finish(1, 1, true, none));
    return r;
  }

  FanoutState s(limit, server.port(), watchers, jobs);
  Clients clients(kClientThreads);
  for (int w = 0; w < watchers; ++w) clients.spawn(w, watcher(s, w));
  clients.spawn(0, fanout_producer(s));
  bool finished = clients.run(limit + kHardGrace);

  std::vector<double> all;
  for (auto& d : s.delays_us) all.insert(all.end(), d.begin(), d.end());
  i64 expected = i64(s.opened.load()) * jobs;
  double window = s.first_submit.load() == 0 || s.last_message.load() == 0
                      ? 0
                      : std::chrono::duration<double>(
                            Steady::duration(s.last_message.load() - s.first_submit.load()))
                            .count();
  i64 delivered = i64(all.size());
  // A healthy fan-out delivers within milliseconds; these are stalls (such as a lost wake-up).
  i64 late = std::count_if(all.begin(), all.end(), [](double us) { return us > 1e6; });
  r.result = (window > 0 ? group(std::llround(double(delivered) / window)) : std::string("0")) +
             " msg/s; " + fixed(percentile(all, 0.5) / 1000, 1) + " / " +
             fixed(percentile(all, 0.99) / 1000, 1) + " / " +
             fixed(percentile(all, 1.0) / 1000, 1) + " ms";
  r.n = delivered;
  r.seconds = window;  // from the first submit to the last event received
  r.notes = join(
      join(shortfall(delivered, expected, s.deadline),
           group(s.opened.load()) + " of " + group(watchers) + " watchers opened in " +
               fixed(s.open_seconds, 2) + " s; " + group(s.submitted.load()) + " of " +
               group(jobs) + " jobs submitted one at a time on one connection, in " +
               fixed(s.submit_seconds, 2) + " s; " + group(delivered) + " of " + group(expected) +
               " `submitted` events delivered in " + fixed(window, 2) + " s (" +
               group(s.messages.load()) + " frames in all)" +
               (late ? "; " + group(late) + " events reached a watcher over 1 s after their submit"
                     : "")),
      meter.finish(clients.threads(), watchers + 1, finished, s.problems));
  return r;
}

void raise_open_files_limit(int want) {
  rlimit l{};
  if (getrlimit(RLIMIT_NOFILE, &l) != 0) return;
  if (l.rlim_cur >= rlim_t(want)) return;
  l.rlim_cur = std::min<rlim_t>(l.rlim_max, rlim_t(want));
  setrlimit(RLIMIT_NOFILE, &l);  // jobqd inherits it
}

}  // namespace

int main(int argc, char** argv) {
  std::string arg = argc >= 3 ? argv[1] : "";
  if ((arg != "smoke" && arg != "full") || argc > 4) {
    std::fprintf(stderr,
                 "usage: %s smoke|full JOBQD [ROWS]\n"
                 "  ROWS: comma-separated subset of ceiling,submits,batch,lifecycles,batched,latency,ws\n",
                 argv[0]);
    return 2;
  }
  const Mode& mode = arg == "full" ? kFull : kSmoke;
  std::string binary = argv[2];
  if (access(binary.c_str(), X_OK) != 0) die(binary + " is not an executable");
  std::string rows = argc == 4 ? "," + std::string(argv[3]) + "," : "";
  auto want = [&](const char* name) {
    return rows.empty() || rows.find("," + std::string(name) + ",") != std::string::npos;
  };
  signal(SIGPIPE, SIG_IGN);
  raise_open_files_limit(2 * mode.ws_watchers + 1024);

  const std::vector<std::pair<StoreKind, Counts>> stores = {
      {kMemory, mode.memory}, {kSqliteFull, mode.full}, {kSqliteNormal, mode.normal}};
  std::printf(
      "jobq http_bench, mode %s, server %s (--log-level warn, default io_threads and "
      "blocking_threads), %u cores, job {\"type\":\"bench\",\"payload\":%s}, each row limited to "
      "%lld s\n\n",
      mode.name.c_str(), binary.c_str(), std::thread::hardware_concurrency(), kPayload.c_str(),
      i64(mode.limit.count()));
  Report report(mode.name == "full");
  if (want("ceiling"))
    report.add(round_trips(binary, 3 * mode.memory.lifecycles_single, kSubmitConns, mode.limit));
  if (want("submits"))
    for (const auto& [kind, c] : stores)
      report.add(submits(binary, kind, c.single_submits, 1, kSubmitConns, mode.limit));
  if (want("batch"))
    for (const auto& [kind, c] : stores)
      report.add(submits(binary, kind, c.batched_submits, kBatch, kBatchConns, mode.limit));
  if (want("lifecycles"))
    for (const auto& [kind, c] : stores)
      report.add(lifecycles(binary, kind, c.lifecycles_single, false, mode.limit));
  if (want("batched"))
    for (const auto& [kind, c] : stores)
      report.add(lifecycles(binary, kind, c.lifecycles_batched, true, mode.limit));
  if (want("latency"))
    for (const auto& [kind, c] : stores)
      report.add(latency(binary, kind, c.latency_samples, mode.limit));
  if (want("ws"))
    report.add(fanout(binary, kSqliteNormal, mode.ws_watchers, mode.ws_jobs, mode.limit));
  return 0;
}
