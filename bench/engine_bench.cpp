// engine_bench MODE: measures the jobq engine in-process on the memory store and on the sqlite
// store with sync=full and sync=normal, and prints one markdown table. MODE is "smoke" (tiny
// counts, a few seconds: proves the harness runs) or "full" (the real counts; minutes).
// Every loop stops at its count or at its time limit, whichever comes first; a row cut short by
// its time limit says so, and its rate is computed from what it did finish.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <functional>
#include <future>
#include <optional>
#include <semaphore>
#include <string>
#include <thread>
#include <vector>

#include <sqlite3.h>

#include "jobq/clock.h"
#include "jobq/engine.h"
#include "jobq/events.h"
#include "jobq/store.h"
#include "report.h"
#include "rss.h"
#include "store/sqlite/sqlite_store.h"  // commits() and ready_count(), for the notes
#include "support/temp_dir.h"

namespace {

using namespace bench;  // report.h: rows, deadlines, number formatting
using jobq::Completion;
using jobq::Engine;
using jobq::Job;
using jobq::JobSpec;
using jobq::LeaseRequest;
using jobq::SyncMode;

const std::string kPayload = R"({"n":1})";

// ---- counts and limits per mode -----------------------------------------------------------------

struct Counts {
  int single_submits;      // one producer, one job per submit()
  int batched_submits;     // one producer, submit_batch() of 100
  int lifecycles_batched;  // 4 producers with batches of 100, 4 workers
  int lifecycles_single;   // 4 producers with single submits, 4 workers
  int latency_samples;
};

struct Mode {
  std::string name;
  Counts memory, full, normal;      // per store: sync=full is fsync-bound, so it gets fewer
  int million;                      // queued jobs for the RSS and open-time rows
  std::chrono::seconds limit;       // per row
  std::chrono::seconds fill_limit;  // for filling the million
};

const Mode kSmoke{
    "smoke", {200, 1000, 400, 400, 20}, {200, 1000, 400, 400, 20}, {200, 1000, 400, 400, 20},
    1000,    std::chrono::seconds(10),  std::chrono::seconds(20)};

// sync=full commits at the disk's flush latency (0.3 to 4 ms per commit on the 2-core VM this was
// tuned on), so its counts are sized to finish within the row limit even on a slow flush.
const Mode kFull{"full",
                 {500'000, 1'000'000, 400'000, 200'000, 5000},
                 {5000, 200'000, 200'000, 15'000, 1000},
                 {100'000, 500'000, 100'000, 100'000, 5000},
                 1'000'000,
                 std::chrono::seconds(30),
                 std::chrono::seconds(120)};

// ---- helpers ------------------------------------------------------------------------------------

[[noreturn]] void die(const std::string& what) {
  std::fflush(stdout);
  std::fprintf(stderr, "engine_bench: %s\n", what.c_str());
  jobq::testing::TempDir::remove_all_live();
  std::_Exit(1);
}

template <class T>
T must(jobq::Result<T> r, const char* what) {
  if (!r) die(std::string(what) + ": " + r.error().to_string());
  return std::move(r).value();
}

JobSpec tiny_job() {
  JobSpec spec;
  spec.type = "bench";
  spec.payload = kPayload;
  return spec;
}

LeaseRequest lease_request(const std::string& worker, int max_jobs) {
  LeaseRequest r;
  r.worker_id = worker;
  r.max_jobs = max_jobs;
  r.lease_ms = 600'000;  // no lease may expire during a run (no sweeper runs anyway)
  return r;
}

// ---- the stores ---------------------------------------------------------------------------------

struct StoreKind {
  std::string label;
  bool sqlite;
  SyncMode sync;
};

const StoreKind kMemory{"memory", false, SyncMode::full};
const StoreKind kSqliteFull{"sqlite sync=full", true, SyncMode::full};
const StoreKind kSqliteNormal{"sqlite sync=normal", true, SyncMode::normal};

jobq::StoreOptions store_options(const StoreKind& kind) {
  jobq::StoreOptions o;
  o.sync = kind.sync;
  return o;
}

std::string store_url(const StoreKind& kind, const std::filesystem::path& dir) {
  return kind.sqlite ? "sqlite://" + (dir / "jobq.db").string() : "memory:";
}

// An engine over a store, opened fresh (in a temp dir of its own unless given one).
struct Rig {
  jobq::SystemClock clock;
  std::optional<jobq::testing::TempDir> own_dir;
  jobq::StorePtr store;
  jobq::EventBus bus;
  std::unique_ptr<Engine> engine;  // declared last: goes before the store

  explicit Rig(const StoreKind& kind, const std::filesystem::path* dir = nullptr,
               jobq::EngineOptions options = {}) {
    if (!dir && kind.sqlite) dir = &own_dir.emplace(kDirPrefix).path();
    store = must(jobq::open_store(store_url(kind, dir ? *dir : std::filesystem::path()), clock,
                                  store_options(kind)),
                 "open_store");
    engine = std::make_unique<Engine>(*store, clock, bus, std::move(options));
  }
  // Sqlite transactions committed so far; nullopt on the memory store.
  std::optional<std::uint64_t> commits() const {
    auto* s = dynamic_cast<jobq::SqliteStore*>(store.get());
    return s ? std::optional(s->commits()) : std::nullopt;
  }
};

std::string commits_note(const Rig& rig, std::optional<std::uint64_t> before, i64 jobs) {
  auto after = rig.commits();
  if (!after || !before || jobs == 0) return "";
  auto n = *after - *before;
  return group(i64(n)) + " sqlite commits (" + fixed(double(n) / double(jobs), 2) + " per job)";
}

// ---- a. submits/s, one producer -----------------------------------------------------------------

Row submits(const StoreKind& kind, int n, int batch, int producers, Steady::duration limit) {
  Rig rig(kind);
  auto commits0 = rig.commits();
  Deadline deadline(limit);
  std::atomic<i64> done{0};
  auto producer = [&](i64 share) {
    std::vector<JobSpec> specs(batch, tiny_job());
    for (i64 mine = 0; mine < share && !deadline.passed();) {
      if (batch == 1) {
        must(rig.engine->submit(specs.front()), "submit");
      } else {
        specs.resize(std::min<i64>(batch, share - mine), tiny_job());
        must(rig.engine->submit_batch(specs), "submit_batch");
      }
      mine += i64(specs.size());
      done += i64(specs.size());
    }
  };
  auto start = Steady::now();
  std::vector<std::thread> threads;
  for (int p = 0; p < producers; ++p)
    threads.emplace_back(producer, n / producers + (p < n % producers));
  for (auto& t : threads) t.join();
  double secs = seconds_since(start);
  Row r;
  std::string who =
      "(" + std::to_string(producers) + (producers == 1 ? " producer)" : " producers)");
  r.measurement = batch == 1 ? "submits/s, single submit() " + who
                             : "submits/s, submit_batch() of " + std::to_string(batch) + " " + who;
  r.store = kind.label;
  r.result = group(std::llround(done / secs)) + " /s";
  r.n = done;
  r.seconds = secs;
  if (batch > 1 && kind.sqlite && kind.sync == SyncMode::full) {
    r.target = "≥ 100,000 /s";
    r.met = done / secs >= 100'000;
  }
  r.notes = join(cut_note(done, n), commits_note(rig, commits0, done));
  return r;
}

// ---- b. lifecycles/s under concurrency ----------------------------------------------------------

constexpr int kProducers = 4;
constexpr int kWorkers = 4;
constexpr int kLeaseMax = 100;

// acks: "per job" completes each job with its own complete(); "batched" completes everything one
// lease brought with one complete_many() (what POST /ack does).
Row lifecycles(const StoreKind& kind, int n, int batch, bool batched_acks, Steady::duration limit) {
  Rig rig(kind);
  Engine& engine = *rig.engine;
  auto commits0 = rig.commits();
  std::atomic<i64> submitted{0}, completed{0};
  std::atomic<int> producers_done{0};
  // The time of the last completion: the run ends there, not when idle workers notice it ended.
  std::atomic<Steady::rep> last_done{0};
  Deadline deadline(limit);

  auto producer = [&](int share) {
    std::vector<JobSpec> specs(batch, tiny_job());
    for (int done = 0; done < share && !deadline.passed();) {
      int k = std::min(batch, share - done);
      if (k == 1) {
        must(engine.submit(specs.front()), "submit");
      } else {
        specs.resize(k, tiny_job());
        must(engine.submit_batch(specs), "submit_batch");
      }
      done += k;
      submitted += k;
    }
    ++producers_done;
  };
  auto worker = [&](int w) {
    LeaseRequest request = lease_request("bench-worker-" + std::to_string(w), kLeaseMax);
    while (!deadline.passed()) {
      if (producers_done.load() == kProducers && completed.load() >= submitted.load()) break;
      auto jobs = must(engine.lease_wait(request, 20), "lease_wait");
      if (jobs.empty()) continue;
      if (batched_acks) {
        std::vector<Completion> acks;
        for (const Job& job : jobs) acks.push_back({job.id, job.lease_token, "null"});
        for (auto& one : must(engine.complete_many(std::move(acks)), "complete_many"))
          must(std::move(one), "complete_many item");
      } else {
        for (const Job& job : jobs)
          must(engine.complete(job.id, job.lease_token, "null"), "complete");
      }
      completed += i64(jobs.size());
      auto now = Steady::now().time_since_epoch().count();
      auto seen = last_done.load();
      while (seen < now && !last_done.compare_exchange_weak(seen, now)) {
      }
    }
  };

  auto start = Steady::now();
  std::vector<std::thread> threads;
  for (int p = 0; p < kProducers; ++p)
    threads.emplace_back(producer, n / kProducers + (p < n % kProducers));
  for (int w = 0; w < kWorkers; ++w) threads.emplace_back(worker, w);
  for (auto& t : threads) t.join();
  i64 done = completed.load();
  double secs = done == 0 ? seconds_since(start)
                          : std::chrono::duration<double>(
                                Steady::time_point(Steady::duration(last_done.load())) - start)
                                .count();

  Row r;
  r.measurement =
      "lifecycles/s (submit, lease, complete), " + std::to_string(kProducers) + " producers " +
      (batch == 1 ? "with single submits" : "with batches of " + std::to_string(batch)) + ", " +
      std::to_string(kWorkers) + " workers leasing ≤ " + std::to_string(kLeaseMax) +
      (batched_acks ? ", one complete_many() per lease" : ", one complete() per job");
  r.store = kind.label;
  r.result = group(std::llround(done / secs)) + " /s";
  r.n = done;
  r.seconds = secs;
  if (batch > 1 && batched_acks && kind.sqlite && kind.sync == SyncMode::full) {
    r.target = "≥ 50,000 /s";
    r.met = done / secs >= 50'000;
  }
  r.notes = join(cut_note(done, n), commits_note(rig, commits0, done));
  return r;
}

// ---- lease throughput across many queues or users, some capped ---------------------------------

constexpr int kSpread = 1000;  // queues, or users

struct Drained {
  i64 done = 0, leases = 0;
  double secs = 0;
};

// kWorkers workers lease ≤ kLeaseMax with `request` and complete each lease with one
// complete_many(), until `total` are done or the time is up.
Drained lease_and_complete(Engine& engine, const LeaseRequest& request, i64 total,
                           Steady::duration limit) {
  std::atomic<i64> completed{0}, leases{0};
  Deadline deadline(limit);
  auto worker = [&](int w) {
    LeaseRequest own = request;
    own.worker_id = "bench-worker-" + std::to_string(w);
    while (!deadline.passed() && completed.load() < total) {
      auto jobs = must(engine.lease(own), "lease");
      ++leases;
      if (jobs.empty()) continue;  // the rest is held by the caps until others complete
      std::vector<Completion> acks;
      for (const Job& job : jobs) acks.push_back({job.id, job.lease_token, "null"});
      for (auto& one : must(engine.complete_many(std::move(acks)), "complete_many"))
        must(std::move(one), "complete_many item");
      completed += i64(jobs.size());
    }
  };
  auto start = Steady::now();
  std::vector<std::thread> threads;
  for (int w = 0; w < kWorkers; ++w) threads.emplace_back(worker, w);
  for (auto& t : threads) t.join();
  return {completed.load(), leases.load(), seconds_since(start)};
}

Row drained_row(const StoreKind& kind, const std::string& what, const Drained& d, i64 total,
                const std::string& per) {
  Row r;
  r.measurement = "jobs leased and completed/s, " + what + ", " + std::to_string(kWorkers) +
                  " workers leasing ≤ " + std::to_string(kLeaseMax) +
                  " across all of them, one complete_many() per lease";
  r.store = kind.label;
  r.result = group(std::llround(d.done / d.secs)) + " /s";
  r.n = d.done;
  r.seconds = d.secs;
  r.notes = join(cut_note(d.done, total),
                 per + ", " + fixed(double(d.done) / double(std::max<i64>(1, d.leases)), 1) +
                     " jobs per lease");
  return r;
}

void submit_all(Engine& engine, int rounds, const std::function<void(JobSpec&, int)>& label) {
  std::vector<JobSpec> specs;
  for (int i = 0; i < rounds; ++i)
    for (int k = 0; k < kSpread; ++k) {
      JobSpec spec = tiny_job();
      label(spec, k);
      specs.push_back(std::move(spec));
      if (specs.size() == 1000) {
        must(engine.submit_batch(specs), "submit_batch");
        specs.clear();
      }
    }
  if (!specs.empty()) must(engine.submit_batch(specs), "submit_batch");
}

// `per_queue` jobs in each of 1,000 queues, submitted round-robin so that every queue's head is
// among the oldest; with `capped`, every other queue has max_running 2, so that a lease keeps
// meeting queues at their cap and passing over them. Workers lease across all 1,000 queues. The
// pair of rows shows what the caps cost.
Row many_queues(const StoreKind& kind, int per_queue, bool capped, Steady::duration limit) {
  Rig rig(kind);
  Engine& engine = *rig.engine;
  std::vector<std::string> queues;
  for (int q = 0; q < kSpread; ++q) queues.push_back("q" + std::to_string(q));
  if (capped)
    for (int q = 0; q < kSpread; q += 2)
      if (jobq::Status s = engine.set_limits({jobq::LimitScope::queue, queues[q], {2, {}}});
          !s.ok())
        die("set_limits: " + s.to_string());
  submit_all(engine, per_queue, [&](JobSpec& spec, int q) { spec.queue = queues[q]; });
  const i64 total = i64(per_queue) * kSpread;
  LeaseRequest request = lease_request("", kLeaseMax);
  request.queues = queues;
  return drained_row(kind,
                     group(kSpread) + " queues " +
                         (capped ? "of which half have max_running 2" : "with no limits"),
                     lease_and_complete(engine, request, total, limit), total,
                     group(per_queue) + " jobs per queue");
}

// `per_user` jobs of each of 1,000 users in one queue, round-robin; with `capped`, their tier
// runs at most 2 of a user's jobs at once, so that a lease keeps meeting users at their cap (the
// oldest jobs are those of the users just leased) and passes over them.
Row many_users(const StoreKind& kind, int per_user, bool capped, Steady::duration limit) {
  jobq::EngineOptions options;
  options.tiers = {{"free", jobq::Rate{}}};
  options.default_tier = "free";
  if (capped) options.tier_max_running = {{"free", 2}};
  Rig rig(kind, nullptr, options);
  Engine& engine = *rig.engine;
  submit_all(engine, per_user,
             [](JobSpec& spec, int u) { spec.user_id = "u" + std::to_string(u); });
  const i64 total = i64(per_user) * kSpread;
  return drained_row(kind,
                     "one queue, " + group(kSpread) + " users " +
                         (capped ? "with max_running 2 each" : "with no cap"),
                     lease_and_complete(engine, lease_request("", kLeaseMax), total, limit), total,
                     group(per_user) + " jobs per user");
}

// ---- c. submit to an already-waiting lease ------------------------------------------------------

// A worker thread registers a waiting lease (lease_async, which answers through a promise, as
// lease_wait does) and says so; only then the main thread notes the time and submits one job.
// A sample is the time from just before submit() to the moment the worker thread holds the job.
Row wait_latency(const StoreKind& kind, int samples, Steady::duration limit) {
  Rig rig(kind);
  Engine& engine = *rig.engine;
  Deadline deadline(limit);
  std::binary_semaphore waiting{0};  // worker -> main: a lease is waiting
  std::atomic<Steady::time_point> submitted_at{};
  std::atomic<bool> stop{false};
  std::vector<double> received_us, callback_us;  // worker thread holds it / callback ran

  std::thread worker([&] {
    LeaseRequest request = lease_request("bench-waiter", 1);
    while (!stop.load()) {
      std::promise<jobq::Result<std::vector<Job>>> answer;
      auto future = answer.get_future();
      Steady::time_point called_at;
      std::uint64_t handle = engine.lease_async(request, [&](jobq::Result<std::vector<Job>> r) {
        called_at = Steady::now();
        answer.set_value(std::move(r));
      });
      if (future.wait_for(std::chrono::seconds(0)) == std::future_status::ready)
        die("latency: a job was ready before the submit; the store is not empty between samples");
      waiting.release();
      // The main thread submits within moments, or sets stop and gives up.
      while (future.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
        if (stop.load() && engine.cancel_wait(handle)) return;
      }
      auto got = Steady::now();
      auto jobs = must(future.get(), "lease_async");
      if (jobs.size() != 1)
        die("latency: the waiting lease got " + std::to_string(jobs.size()) + " jobs");
      auto t0 = submitted_at.load();
      received_us.push_back(std::chrono::duration<double, std::micro>(got - t0).count());
      callback_us.push_back(std::chrono::duration<double, std::micro>(called_at - t0).count());
      must(engine.complete(jobs[0].id, jobs[0].lease_token, "null"), "complete");
    }
  });

  auto start = Steady::now();
  JobSpec spec = tiny_job();
  int taken = 0;
  for (; taken < samples && !deadline.passed(); ++taken) {
    if (!waiting.try_acquire_for(std::chrono::seconds(10))) die("latency: the worker never waited");
    submitted_at = Steady::now();
    must(engine.submit(spec), "submit");
  }
  // Wait for the last sample's worker to register again (so that it finished it), then stop it.
  if (!waiting.try_acquire_for(std::chrono::seconds(10))) die("latency: the worker never waited");
  stop = true;
  worker.join();
  double secs = seconds_since(start);

  Row r;
  r.measurement = "submit → already-waiting lease, latency p50 / p99 / max";
  r.store = kind.label;
  double p99 = percentile(received_us, 0.99);
  r.result = fixed(percentile(received_us, 0.5), 0) + " / " + fixed(p99, 0) + " / " +
             fixed(percentile(received_us, 1.0), 0) + " µs";
  r.n = i64(received_us.size());
  r.seconds = secs;
  if (kind.sqlite && kind.sync == SyncMode::normal) {
    r.target = "p99 ≤ 1,000 µs";
    r.met = p99 <= 1000;
  }
  r.notes = join(cut_note(taken, samples), "in the callback (on the submitting thread): p50 " +
                                               fixed(percentile(callback_us, 0.5), 0) + " / p99 " +
                                               fixed(percentile(callback_us, 0.99), 0) + " µs");
  return r;
}

// ---- d. RSS per queued job, e. open time of a big store -----------------------------------------

// Submits up to n jobs in batches of the engine's largest batch; returns how many went in.
i64 fill(Engine& engine, i64 n, Steady::duration limit) {
  Deadline deadline(limit);
  std::vector<JobSpec> specs(engine.options().max_batch, tiny_job());
  i64 done = 0;
  while (done < n && !deadline.passed()) {
    specs.resize(std::min<i64>(i64(engine.options().max_batch), n - done), tiny_job());
    must(engine.submit_batch(specs), "submit_batch");
    done += i64(specs.size());
  }
  return done;
}

Row rss_row(const StoreKind& kind, i64 n, i64 queued, std::int64_t before, std::int64_t after,
            double fill_secs, std::string notes) {
  double per_job = double(after - before) / double(std::max(queued, 1LL)) - double(kPayload.size());
  Row r;
  r.measurement = "RSS per queued job beyond its " + std::to_string(kPayload.size()) +
                  "-byte payload, " + group(n) + " queued";
  r.store = kind.label;
  r.result = group(std::llround(per_job)) + " B/job";
  r.n = queued;
  r.seconds = fill_secs;
  r.target = "≤ 600 B/job";
  r.met = per_job <= 600;
  r.notes = join(join(cut_note(queued, n),
                      "VmRSS " + group(before >> 20) + " → " + group(after >> 20) + " MiB"),
                 notes);
  return r;
}

Row memory_rss(i64 n, Steady::duration limit) {
  bench::release_free_heap();
  std::int64_t before = bench::rss_bytes();
  Rig rig(kMemory);
  auto start = Steady::now();
  i64 queued = fill(*rig.engine, n, limit);
  double secs = seconds_since(start);
  return rss_row(kMemory, n, queued, before, bench::rss_bytes(), secs, "");
}

// Fills a sqlite store (sync=full, the default) with n jobs and measures RSS; then closes it and
// times opening it again.
std::vector<Row> sqlite_rss_and_open(i64 n, Steady::duration limit) {
  const StoreKind& kind = kSqliteFull;
  jobq::testing::TempDir dir(kDirPrefix);
  std::vector<Row> rows;
  i64 queued;
  {
    bench::release_free_heap();
    std::int64_t before = bench::rss_bytes();
    Rig rig(kind, &dir.path());
    auto start = Steady::now();
    queued = fill(*rig.engine, n, limit);
    double secs = seconds_since(start);
    std::int64_t after = bench::rss_bytes();
    rows.push_back(rss_row(kind, n, queued, before, after, secs,
                           "includes sqlite's page cache (cache_size 32 MiB)"));
  }  // engine and store closed
  auto bytes = [&](const char* name) {
    std::error_code ec;
    auto s = std::filesystem::file_size(dir.path() / name, ec);
    return ec ? 0 : i64(s);
  };
  std::string files = "database " + group(bytes("jobq.db") >> 20) + " MiB, WAL " +
                      group(bytes("jobq.db-wal") >> 20) + " MiB";

  jobq::SystemClock clock;
  auto start = Steady::now();
  auto store =
      must(jobq::open_store(store_url(kind, dir.path()), clock, store_options(kind)), "open_store");
  double secs = seconds_since(start);
  auto* sqlite = dynamic_cast<jobq::SqliteStore*>(store.get());
  if (!sqlite) die("open: not a sqlite store");
  std::size_t ready = sqlite->ready_count();
  if (i64(ready) != queued)
    die("open: the reopened store has " + std::to_string(ready) + " ready jobs, not " +
        std::to_string(queued));

  Row r;
  r.measurement = "open_store() of a sqlite store holding " + group(n) + " queued jobs";
  r.store = kind.label;
  r.result = fixed(secs, 3) + " s";
  r.n = queued;
  r.seconds = secs;
  r.target = "≤ 3 s";
  r.met = secs <= 3.0;
  r.notes = join(cut_note(queued, n), files + " before reopening; OS page cache warm; all " +
                                          group(ready) + " ready after open");
  rows.push_back(r);
  return rows;
}

}  // namespace

int main(int argc, char** argv) {
  std::string arg = argc == 2 ? argv[1] : "";
  if (arg != "smoke" && arg != "full") {
    std::fprintf(stderr, "usage: %s smoke|full\n", argv[0]);
    return 2;
  }
  const Mode& mode = arg == "full" ? kFull : kSmoke;
  const std::vector<std::pair<StoreKind, Counts>> stores = {
      {kMemory, mode.memory}, {kSqliteFull, mode.full}, {kSqliteNormal, mode.normal}};

  std::printf("jobq engine_bench, mode %s, SQLite %s, payload %s, each row limited to %lld s\n\n",
              mode.name.c_str(), sqlite3_libversion(), kPayload.c_str(), i64(mode.limit.count()));
  Report report(mode.name == "full");
  // The RSS rows first, while the heap is fresh: free heap that earlier rows leave behind in other
  // threads' arenas would be reused by the fill and hide part of its growth.
  report.add(memory_rss(mode.million, mode.fill_limit));
  for (const Row& r : sqlite_rss_and_open(mode.million, mode.fill_limit)) report.add(r);
  for (const auto& [kind, c] : stores)
    report.add(submits(kind, c.single_submits, 1, 1, mode.limit));
  for (const auto& [kind, c] : stores)
    report.add(submits(kind, c.batched_submits, 100, 1, mode.limit));
  for (const auto& [kind, c] : stores)
    report.add(submits(kind, c.batched_submits, 100, kProducers, mode.limit));
  for (const auto& [kind, c] : stores)
    report.add(lifecycles(kind, c.lifecycles_batched, 100, true, mode.limit));
  for (const auto& [kind, c] : stores)
    report.add(lifecycles(kind, c.lifecycles_batched, 100, false, mode.limit));
  for (const auto& [kind, c] : stores)
    report.add(lifecycles(kind, c.lifecycles_single, 1, false, mode.limit));
  for (const auto& [kind, c] : stores)
    report.add(wait_latency(kind, c.latency_samples, mode.limit));
  // Jobs per queue: enough for a few seconds of leasing in full mode, two in smoke.
  for (const auto& [kind, per_queue] : {std::pair{kMemory, 200}, std::pair{kSqliteFull, 50}})
    for (bool capped : {false, true})
      report.add(many_queues(kind, mode.name == "full" ? per_queue : 2, capped, mode.limit));
  for (const auto& [kind, per_user] : {std::pair{kMemory, 200}, std::pair{kSqliteFull, 50}})
    for (bool capped : {false, true})
      report.add(many_users(kind, mode.name == "full" ? per_user : 2, capped, mode.limit));
  return 0;
}
