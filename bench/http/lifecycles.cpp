// The rows "lifecycles" and "batched": submit, lease and complete, one call per step, in a
// worker's loop (the completion leases the next job) or batched.
#include "http/bodies.h"
#include "http/conn.h"
#include "http/jobqd.h"
#include "http/rows.h"

namespace bench {

namespace {

// ---- 3. lifecycles/s ----------------------------------------------------------------------------

struct LifecycleState {
  Deadline deadline;
  const Servers& servers;  // producer and worker i talk to node i mod nodes
  Steps steps;
  bool batched() const { return steps == Steps::batched; }
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

task<> lifecycle_producer(LifecycleState& s, int p, i64 share) {
  Conn conn(co_await asio::this_coro::executor, s.servers.port(p));
  int batch = s.batched() ? kBatch : 1;
  const std::string full_batch = batch_body(batch);
  for (i64 mine = 0; mine < share && !s.over();) {
    int k = int(std::min<i64>(batch, share - mine));
    std::string body = !s.batched() ? kJob : k == batch ? full_batch : batch_body(k);
    std::string_view target = s.batched() ? "/api/v1/jobs/batch" : "/api/v1/jobs";
    Answer a = co_await conn.call(http::verb::post, target, std::move(body));
    if (a.ok(201))
      s.submitted += k;
    else
      s.problems.add(describe("POST " + std::string(target), a));
    mine += k;
  }
  ++s.producers_done;
}

// Counts the completions an /ack answer says are ok, and notes the others.
void count_acked(LifecycleState& s, const Answer& acked, std::size_t sent) {
  auto [ok, error] = ack_outcome(acked.body);
  if (ok != int(sent))
    s.problems.add("POST /api/v1/ack: " + std::to_string(ok) + " of " + std::to_string(sent) +
                   " ok; " + error);
  s.note_completion(ok);
}

bool all_leased(const LifecycleState& s) {
  return s.producers_done.load() == s.producers && s.leased.load() >= s.submitted.load();
}

task<> lifecycle_worker(LifecycleState& s, int w) {
  Conn conn(co_await asio::this_coro::executor, s.servers.port(w));
  constexpr int kWaitMs = 1000;
  const std::string lease =
      lease_body("bench-worker-" + std::to_string(w), s.batched() ? kBatch : 1, kWaitMs);
  // The lease an /ack carries does not wait: its answer says when the completion is done, and
  // a worker with nothing to do next waits on a plain lease instead.
  const std::string lease_now = lease_body("bench-worker-" + std::to_string(w), 1, 0);
  const auto wait = std::chrono::milliseconds(kWaitMs) + kCallTimeout;
  std::vector<Leased> held;  // worker_loop: leased by the last /ack, completed by the next
  while (!s.over()) {
    if (held.empty() && all_leased(s)) break;
    Answer a;
    std::string what;
    bool leasing = true;
    if (held.empty()) {
      what = "POST /api/v1/lease";
      a = co_await conn.call(http::verb::post, "/api/v1/lease", lease, wait);
    } else {
      what = "POST /api/v1/ack";
      // Once every job is leased nothing more will come: the last completions lease nothing.
      leasing = !all_leased(s);
      std::string body = leasing ? ack_lease_body(held, lease_now) : ack_body(held);
      a = co_await conn.call(http::verb::post, "/api/v1/ack", std::move(body), wait);
      if (a.ok(200)) count_acked(s, a, held.size());
      held.clear();
    }
    if (!a.ok(200)) {
      s.problems.add(describe(what, a));
      continue;
    }
    if (!leasing) continue;
    auto jobs = leased_jobs(a.body);
    if (!jobs) {
      s.problems.add(what + ": not a lease answer: " + clip(a.body));
      continue;
    }
    if (jobs->empty()) continue;
    s.leased += i64(jobs->size());
    if (s.steps == Steps::worker_loop) {
      held = std::move(*jobs);
    } else if (s.batched()) {
      Answer acked = co_await conn.call(http::verb::post, "/api/v1/ack", ack_body(*jobs));
      if (acked.ok(200))
        count_acked(s, acked, jobs->size());
      else
        s.problems.add(describe("POST /api/v1/ack", acked));
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

}  // namespace

Row lifecycles(Servers& servers, int n, Steps steps, Steady::duration limit) {
  Meter meter{servers};
  bool batched = steps == Steps::batched;
  int producers = batched ? kBatchedProducers : kSingleProducers;
  int workers = batched ? kBatchedWorkers : kSingleWorkers;
  LifecycleState s{Deadline(limit), servers, steps, producers};
  Clients clients(kClientThreads);
  for (int p = 0; p < producers; ++p)
    clients.spawn(p, lifecycle_producer(s, p, n / producers + (p < n % producers)));
  for (int w = 0; w < workers; ++w) clients.spawn(w, lifecycle_worker(s, w));
  auto start = Steady::now();
  bool finished = clients.run(limit + kHardGrace);
  i64 done = s.completed.load();
  double secs = done == 0 ? seconds_since(start)
                          : std::chrono::duration<double>(
                                Steady::time_point(Steady::duration(s.last_done.load())) - start)
                                .count();

  Row r;
  std::string spread =
      servers.size() == 1 ? "" : ", spread over " + std::to_string(servers.size()) + " jobqd nodes";
  r.measurement =
      batched ? "lifecycles/s, batched: " + std::to_string(producers) +
                    " producers POST /jobs/batch of " + std::to_string(kBatch) + ", " +
                    std::to_string(workers) + " workers POST /lease (max_jobs " +
                    std::to_string(kBatch) + ", wait_ms 1000) and one POST /ack per lease" + spread
      : steps == Steps::worker_loop
          ? "lifecycles/s, a worker's loop: " + std::to_string(producers) +
                " producers POST /jobs, " + std::to_string(workers) +
                " workers each POST /ack completing its job and leasing the next (max_jobs 1, "
                "wait_ms 0; POST /lease with wait_ms 1000 when it got none)" +
                spread
          : "lifecycles/s, one call per step: " + std::to_string(producers) +
                " producers POST /jobs, " + std::to_string(workers) +
                " workers POST /lease (max_jobs 1, wait_ms 1000) and POST /jobs/{id}/complete" +
                spread;
  r.store = servers.kind().label;
  r.result = group(std::llround(double(done) / secs)) + " /s";
  r.n = done;
  r.seconds = secs;
  r.target = batched ? "≥ 60,000 /s" : "≥ 20,000 /s";
  r.met = double(done) / secs >= (batched ? 60'000 : 20'000);
  r.notes = join(shortfall(done, n, s.deadline),
                 meter.finish(clients.threads(), producers + workers, finished, s.problems, done));
  return r;
}

Row lifecycles(const std::string& binary, const StoreKind& kind, int n, Steps steps,
               Steady::duration limit, int nodes) {
  Servers servers(binary, kind, nodes);
  return lifecycles(servers, n, steps, limit);
}

}  // namespace bench
