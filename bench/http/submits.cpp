// The rows "ceiling", "submits" and "batch": HTTP round trips with no store work, then submits/s
// one job per POST /jobs and in batches of 100.
#include "http/bodies.h"
#include "http/conn.h"
#include "http/jobqd.h"
#include "http/rows.h"

namespace bench {

namespace {

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

}  // namespace

Row submits(Servers& servers, int n, int batch, int conns, Steady::duration limit) {
  Meter meter{servers};
  SubmitState s{Deadline(limit), servers.port(), batch};
  Clients clients(kClientThreads);
  clients.spawn_shares(conns, n, [&s](i64 share) { return submitter(s, share); });
  auto [finished, secs] = clients.run_timed(limit);
  i64 done = s.done.load();

  Row r;
  r.measurement =
      batch == 1 ? "submits/s, one job per POST /jobs, " + std::to_string(conns) + " connections"
                 : "submits/s, POST /jobs/batch of " + std::to_string(batch) + ", " +
                       std::to_string(conns) + " connections";
  r.store = servers.kind().label;
  r.result = group(std::llround(double(done) / secs)) + " /s";
  r.n = done;
  r.seconds = secs;
  r.notes = join(shortfall(done, n, s.deadline),
                 meter.finish(clients.threads(), conns, finished, s.problems, done));
  return r;
}

Row submits(const std::string& binary, const StoreKind& kind, int n, int batch, int conns,
            Steady::duration limit) {
  Servers servers(binary, kind);
  return submits(servers, n, batch, conns, limit);
}

namespace {

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

}  // namespace

// What this machine, this client and jobqd's HTTP layer allow at all: a single-call lifecycle is
// three such round trips plus the store's work, so a third of this bounds the lifecycles row.
Row round_trips(const std::string& binary, int n, int conns, Steady::duration limit) {
  Servers servers(binary, kMemory);
  Meter meter{servers};
  RoundTripState s{Deadline(limit), servers.port()};
  Clients clients(kClientThreads);
  clients.spawn_shares(conns, n, [&s](i64 share) { return round_tripper(s, share); });
  auto [finished, secs] = clients.run_timed(limit);
  i64 done = s.done.load();
  Row r;
  r.measurement = "HTTP round trips/s with no store work: GET /api/v1/health, " +
                  std::to_string(conns) +
                  " connections (the ceiling: a single-call lifecycle "
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

}  // namespace bench
