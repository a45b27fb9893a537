// http_bench MODE JOBQD [ROWS]: measures the real jobqd binary over HTTP, and prints one markdown
// table in the format of engine_bench. MODE is "smoke" (tiny counts, a few seconds: proves the
// harness runs) or "full" (the real counts; minutes). JOBQD is the server binary. ROWS, optional,
// is a comma-separated subset of: ceiling, submits, batch, lifecycles, batched, latency, ws,
// nodes, listing, bullmq.
//
// Each row starts its own jobqd as a child process on a free loopback port (several, for the
// row "nodes"), over a fresh store (sqlite in a new directory under /tmp, removed afterwards;
// memory:; or redis: a redis-server of the row's own in such a directory, AOF with appendfsync
// always, whose CPU the row notes beside jobqd's), waits for GET /health,
// drives it with its own client (Boost.Beast on Asio coroutines, keep-alive connections spread
// over a few client threads, each thread with an io_context of its own), reads the server's
// VmRSS and CPU time, and stops it with SIGTERM.
//
// Every loop stops at its count or at its time limit, whichever comes first; every request has a
// timeout of its own, and a row whose client is still busy well after its limit is stopped by
// force and says so. A call that fails (a transport error or an unexpected status) is counted,
// the first few are printed on stderr and named in the row's notes, and the row goes on.
//
// This file holds the modes and main(); the rows are in http/, one family to a file (http/rows.h).
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "http/common.h"
#include "http/rows.h"
#include "report.h"

namespace {

using namespace bench;

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
  Counts memory, full, normal, redis;
  int ws_watchers, ws_jobs;
  int queued_jobs;             // Redis memory per queued job, jobq's and BullMQ's
  int listed_jobs;             // the redis store that "listing" pages through
  std::chrono::seconds limit;  // per row
};

const Mode kSmoke{"smoke",
                  {200, 1000, 300, 1000, 20},
                  {200, 1000, 300, 1000, 20},
                  {200, 1000, 300, 1000, 20},
                  {200, 1000, 300, 1000, 20},
                  100,
                  5,
                  1000,
                  2000,
                  10s};

// sync=full pays one fsync per group commit (0.1 to 4 ms on the 2-core VM this was tuned on), so
// its counts are smaller.
const Mode kFull{"full",
                 {200'000, 1'000'000, 200'000, 1'000'000, 5000},
                 {30'000, 300'000, 30'000, 300'000, 2000},
                 {100'000, 500'000, 100'000, 500'000, 5000},
                 {30'000, 300'000, 30'000, 300'000, 2000},
                 1000,
                 500,
                 100'000,
                 1'000'000,
                 30s};

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
    std::fprintf(
        stderr,
        "usage: %s smoke|full JOBQD [ROWS]\n"
        "  ROWS: comma-separated subset of "
        "ceiling,submits,batch,lifecycles,batched,latency,ws,nodes,listing,bullmq\n",
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
      {kMemory, mode.memory},
      {kSqliteFull, mode.full},
      {kSqliteNormal, mode.normal},
      {kRedis, mode.redis}};
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
    for (Steps steps : {Steps::one_call_each, Steps::worker_loop})
      for (const auto& [kind, c] : stores)
        report.add(lifecycles(binary, kind, c.lifecycles_single, steps, mode.limit));
  if (want("batched"))
    for (const auto& [kind, c] : stores)
      report.add(lifecycles(binary, kind, c.lifecycles_batched, Steps::batched, mode.limit));
  if (want("latency"))
    for (const auto& [kind, c] : stores)
      report.add(latency(binary, kind, c.latency_samples, mode.limit));
  if (want("ws"))
    report.add(fanout(binary, kSqliteNormal, mode.ws_watchers, mode.ws_jobs, mode.limit));
  // Several jobqd nodes on one redis-server: lifecycles on 1, 2 and 3 nodes, then submit to a
  // lease waiting on another node.
  if (want("nodes")) {
    for (Steps steps : {Steps::one_call_each, Steps::worker_loop, Steps::batched})
      for (int nodes = 1; nodes <= 3; ++nodes)
        report.add(lifecycles(
            binary, kRedis,
            steps == Steps::batched ? mode.redis.lifecycles_batched : mode.redis.lifecycles_single,
            steps, mode.limit, nodes));
    report.add(latency(binary, kRedis, mode.redis.latency_samples, mode.limit, 2));
  }
  if (want("listing"))
    for (const Row& row : listing(binary, mode.listed_jobs, 20, 4 * mode.limit, mode.limit))
      report.add(row);
  if (want("bullmq"))
    for (const Row& row : versus_bullmq(binary, mode.redis.lifecycles_single,
                                        mode.redis.lifecycles_batched,
                                        mode.redis.latency_samples, mode.queued_jobs, mode.limit))
      report.add(row);
  return 0;
}
