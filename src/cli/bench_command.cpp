// bench: drives a server with producers and workers of its own, then reports throughput and
// latency percentiles. Each run uses a fresh queue, so it neither takes nor leaves others' jobs.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>

#include "cli/commands.h"
#include "cli/job_flags.h"
#include "cli/output.h"

namespace jobq::cli {
namespace {

using steady = std::chrono::steady_clock;

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(steady::now().time_since_epoch())
      .count();
}

struct Samples {
  std::mutex mutex;
  std::vector<double> ms;
  void add(const std::vector<double>& more) {
    std::lock_guard lock(mutex);
    ms.insert(ms.end(), more.begin(), more.end());
  }
};

// Nearest rank: the smallest sample with at least p of all samples at or below it.
double percentile(std::vector<double> sorted, double p) {
  if (sorted.empty()) return 0;
  std::size_t rank = static_cast<std::size_t>(std::ceil(p * sorted.size()));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

boost::json::object summary(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  auto round = [](double x) { return std::round(x * 100) / 100; };
  return {{"count", ms.size()},
          {"p50_ms", round(percentile(ms, 0.50))},
          {"p95_ms", round(percentile(ms, 0.95))},
          {"p99_ms", round(percentile(ms, 0.99))},
          {"max_ms", round(ms.empty() ? 0 : ms.back())}};
}

struct BenchFlags {
  int producers = 1;
  int workers = 1;
  int batch = 1;
  int payload_bytes = 100;
  std::string duration = "10s";
  std::string drain = "30s";
  std::string queue;
  std::string type = "bench";
  bool json = false;
};

void run_bench(Session& session, const BenchFlags& f) {
  auto duration = parse_duration(f.duration, "--duration");
  if (!duration) return session.fail(duration.error());
  auto drain = parse_duration(f.drain, "--drain");
  if (!drain) return session.fail(drain.error());
  std::string queue = f.queue.empty()
                          ? "bench-" + std::to_string(::getpid()) + "-" + std::to_string(now_us())
                          : f.queue;
  Client& client = session.client();
  if (auto probe = client.queues(); !probe) return session.fail("bench", probe.error());

  std::atomic<std::int64_t> submitted{0}, completed{0};
  std::atomic<bool> producing{true};
  std::mutex error_mutex;
  std::optional<ApiError> first_error;
  auto record_error = [&](const ApiError& e) {
    std::lock_guard lock(error_mutex);
    if (!first_error) first_error = e;
  };
  Samples submit_ms, end_to_end_ms;
  const std::string pad(static_cast<std::size_t>(std::max(f.payload_bytes, 0)), 'x');

  auto started = steady::now();
  auto stop_producing = started + std::chrono::milliseconds(*duration);
  std::vector<std::jthread> threads;
  for (int p = 0; p < f.producers; ++p)
    threads.emplace_back([&] {
      std::vector<double> latencies;
      while (steady::now() < stop_producing) {
        std::vector<JobSpec> specs(static_cast<std::size_t>(f.batch));
        for (auto& spec : specs) {
          spec.type = f.type;
          spec.queue = queue;
          spec.payload = boost::json::serialize(boost::json::object{{"t", now_us()}, {"pad", pad}});
        }
        auto t0 = now_us();
        auto r = client.submit_batch(specs);
        if (!r) {
          record_error(r.error());
          break;
        }
        latencies.push_back(static_cast<double>(now_us() - t0) / 1000.0);
        submitted += static_cast<std::int64_t>(r->size());
      }
      submit_ms.add(latencies);
    });
  auto give_up = stop_producing + std::chrono::milliseconds(*drain);
  for (int w = 0; w < f.workers; ++w)
    threads.emplace_back([&, w] {
      LeaseRequest request;
      request.worker_id = queue + "-worker-" + std::to_string(w);
      request.queues = {queue};
      request.types = {f.type};
      request.max_jobs = f.batch;
      std::vector<double> latencies;
      while (steady::now() < give_up && (producing || completed.load() < submitted.load())) {
        auto jobs = client.lease(request, std::chrono::milliseconds(200));
        if (!jobs) {
          record_error(jobs.error());
          break;
        }
        std::vector<AckItem> items;
        for (const Job& j : *jobs) items.push_back({j.id, j.lease_token, "null"});
        if (items.empty()) continue;
        auto acked = client.ack(items);
        if (!acked) {
          record_error(acked.error());
          break;
        }
        auto done = now_us();
        for (const Job& j : *jobs) {
          boost::system::error_code ec;
          auto payload = boost::json::parse(j.payload, ec);
          if (const auto* t = ec ? nullptr : payload.as_object().if_contains("t"))
            latencies.push_back(static_cast<double>(done - t->to_number<std::int64_t>()) / 1000.0);
        }
        completed += static_cast<std::int64_t>(items.size());
      }
      end_to_end_ms.add(latencies);
    });
  for (int p = 0; p < f.producers; ++p) threads[static_cast<std::size_t>(p)].join();
  producing = false;
  auto produced_for = steady::now() - started;
  threads.clear();  // joins the workers
  auto ran_for = steady::now() - started;
  if (first_error) return session.fail("bench", *first_error);

  auto secs = [](steady::duration d) { return std::chrono::duration<double>(d).count(); };
  auto rate = [](double n, double s) { return s > 0 ? std::round(n / s * 10) / 10 : 0.0; };
  boost::json::object report{{"queue", queue},
                             {"producers", f.producers},
                             {"workers", f.workers},
                             {"batch", f.batch},
                             {"payload_bytes", f.payload_bytes},
                             {"submitted", submitted.load()},
                             {"completed", completed.load()},
                             {"submit_per_s", rate(double(submitted.load()), secs(produced_for))},
                             {"complete_per_s", rate(double(completed.load()), secs(ran_for))},
                             {"submit_latency", summary(submit_ms.ms)},
                             {"end_to_end_latency", summary(end_to_end_ms.ms)}};
  if (f.json) return print_json(report);
  auto line = [&](const char* name, const boost::json::value& s) {
    std::printf("%-22s p50 %s ms  p95 %s ms  p99 %s ms  max %s ms  (%s samples)\n", name,
                member_text(s, "p50_ms").c_str(), member_text(s, "p95_ms").c_str(),
                member_text(s, "p99_ms").c_str(), member_text(s, "max_ms").c_str(),
                member_text(s, "count").c_str());
  };
  std::printf("queue %s: %d producers, %d workers, batch %d, payload %d bytes\n", queue.c_str(),
              f.producers, f.workers, f.batch, f.payload_bytes);
  std::printf("submitted %lld jobs in %.2f s: %s jobs/s\n", (long long)submitted.load(),
              secs(produced_for), value_text(report["submit_per_s"]).c_str());
  std::printf("completed %lld jobs in %.2f s: %s jobs/s\n", (long long)completed.load(),
              secs(ran_for), value_text(report["complete_per_s"]).c_str());
  line("submit call latency", report["submit_latency"]);
  line("submit to completion", report["end_to_end_latency"]);
  if (completed.load() < submitted.load())
    session.fail(kOtherError, "bench: " + std::to_string(submitted.load() - completed.load()) +
                                  " jobs were not completed within --drain");
}

}  // namespace

void add_bench_command(CLI::App& app, Session& session) {
  auto f = std::make_shared<BenchFlags>();
  auto* c = app.add_subcommand(
      "bench", "load a server with producers and workers; report throughput and latency");
  c->add_option("--producers", f->producers, "threads submitting")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  c->add_option("--workers", f->workers, "threads leasing and completing")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  c->add_option("--batch", f->batch, "jobs per submit, and per lease and ack")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  c->add_option("--payload-bytes", f->payload_bytes, "padding in each payload")
      ->check(CLI::Range(0, 1 << 20))
      ->capture_default_str();
  c->add_option("--duration", f->duration, "how long the producers submit")->capture_default_str();
  c->add_option("--drain", f->drain, "how long the workers may take to finish after that")
      ->capture_default_str();
  c->add_option("-q,--queue", f->queue, "queue to use (default: a fresh bench-... queue)");
  c->add_option("--type", f->type, "job type to use")->capture_default_str();
  c->add_flag("--json", f->json, "the report as JSON");
  c->callback([&session, f] { run_bench(session, *f); });
}

}  // namespace jobq::cli
