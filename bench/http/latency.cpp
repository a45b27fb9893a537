// The row "latency": submit to a waiting long-poll lease.
#include <boost/asio/experimental/awaitable_operators.hpp>

#include "http/bodies.h"
#include "http/conn.h"
#include "http/jobqd.h"
#include "http/rows.h"

namespace bench {

namespace {

// ---- 4. submit to a waiting long-poll lease -----------------------------------------------------

struct LatencyState {
  Deadline deadline;
  std::uint16_t worker_port, producer_port;  // one node, or two
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

// One coroutine plays both sides, on two connections (to one node, or the worker's to the first
// node and the producer's to the second): it sends the worker's lease (wait_ms 5000,
// max_jobs 1), gives the server a millisecond to register it, notes the time, sends one submit,
// and waits for both answers at once. A sample ends when the lease answer has been read. The
// worker then completes the job, so that no job is ready when the next lease arrives.
task<> latency_loop(LatencyState& s) {
  using namespace asio::experimental::awaitable_operators;
  auto ex = co_await asio::this_coro::executor;
  Conn worker(ex, s.worker_port), producer(ex, s.producer_port);
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

}  // namespace

Row latency(Servers& servers, int samples, Steady::duration limit) {
  Meter meter{servers};
  LatencyState s{Deadline(limit), servers.port(0), servers.port(1), samples};
  Clients clients(1);
  clients.spawn(0, latency_loop(s));
  auto start = Steady::now();
  bool finished = clients.run(limit + kHardGrace);
  double secs = seconds_since(start);

  Row r;
  r.measurement =
      "submit → waiting long-poll lease (wait_ms 5000, max_jobs 1), latency p50 / p99 / max" +
      std::string(servers.size() == 1 ? "" : "; the lease waits on one jobqd node, the submit goes to another");
  const StoreKind& kind = servers.kind();
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

Row latency(const std::string& binary, const StoreKind& kind, int samples, Steady::duration limit,
            int nodes) {
  Servers servers(binary, kind, nodes);
  return latency(servers, samples, limit);
}

}  // namespace bench
