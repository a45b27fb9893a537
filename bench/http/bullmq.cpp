// The row family "bullmq": jobq's redis store beside BullMQ on the same redis-server, workload by
// workload. jobq runs first (one jobqd node), then FLUSHALL, then BullMQ's script from
// bench/peers/bullmq (Node, run as a child process, printing one JSON line).
#include <sys/resource.h>

#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>

#include "http/jobqd.h"
#include "http/rows.h"

namespace bench {

namespace {

namespace json = boost::json;

std::filesystem::path scripts_dir() { return std::filesystem::path(JOBQ_BENCH_DIR) / "peers/bullmq"; }

double children_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_CHILDREN, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct Script {
  json::object out;    // its JSON line; empty if it failed
  std::string failed;  // why, if it did
  double redis_cpu = 0, node_cpu = 0, seconds = 0;
};

// Runs `node SCRIPT --port P ARGS` in bench/peers/bullmq, stopped by timeout(1) at `limit` plus
// a grace; node's CPU comes from RUSAGE_CHILDREN (it is waited for, through timeout and sh).
Script run_script(const RedisChild& redis, const std::string& script, const std::string& args,
                  Steady::duration limit) {
  Script s;
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(limit + kHardGrace).count();
  std::string command = "cd '" + scripts_dir().string() + "' && timeout -k 5 " +
                        std::to_string(secs) + " node " + script + " --port " +
                        std::to_string(redis.port()) + " " + args + " 2>&1";
  double redis0 = Jobqd::cpu_seconds_of(redis.pid()), node0 = children_cpu_seconds();
  auto start = Steady::now();
  std::fflush(stdout);
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) die("popen: " + command);
  std::string text;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, pipe)) text.append(buf, n);
  int status = pclose(pipe);
  s.seconds = seconds_since(start);
  s.redis_cpu = Jobqd::cpu_seconds_of(redis.pid()) - redis0;
  s.node_cpu = children_cpu_seconds() - node0;
  auto lines = lines_of(text);
  if (status != 0 || lines.empty()) {
    s.failed = "node " + script + " ended with status " + std::to_string(status) + ": " +
               clip(text, 300);
    return s;
  }
  boost::system::error_code ec;
  json::value v = json::parse(lines.back(), ec);
  if (ec || !v.is_object()) {
    s.failed = "node " + script + " printed no JSON line: " + clip(text, 300);
    return s;
  }
  s.out = std::move(v.as_object());
  return s;
}

double number(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_number() ? v->to_number<double>() : 0.0;
}

std::string cpu_notes(const Script& s, double items) {
  return "CPU s: node " + fixed(s.node_cpu, 1) + ", redis-server " + fixed(s.redis_cpu, 1) +
         "; CPU per item: node " + fixed(1e6 * s.node_cpu / items, 0) + " µs, redis-server " +
         fixed(1e6 * s.redis_cpu / items, 0) + " µs";
}

Row bullmq_row(const std::string& measurement, const Script& s) {
  Row r;
  r.measurement = measurement;
  r.store = "BullMQ, same redis-server";
  r.seconds = s.seconds;
  if (!s.failed.empty()) {
    r.result = "failed";
    r.notes = s.failed;
  }
  return r;
}

// jobq's rate over BullMQ's, higher is better for jobq.
std::string ratio_note(double jobq, double bullmq, const char* what) {
  if (bullmq <= 0) return "";
  return std::string("jobq / BullMQ ") + what + ": " + fixed(jobq / bullmq, 2);
}

double rate_of(const Row& r) { return r.seconds > 0 ? double(r.n) / r.seconds : 0; }

// Without batches jobq runs twice, one call per step and then in a worker's loop (each completion
// leases the next job), the way BullMQ's Worker goes (moveToFinished fetches the next job): the
// target is judged on the worker's loop, which runs on the redis-server BullMQ then runs on, and
// the ratios of both are noted.
std::vector<Row> lifecycles_pair(const std::string& binary, int n, bool batched,
                                 Steady::duration limit) {
  std::vector<Row> rows;
  // A row stops its jobqd as it ends: the first of two runs on servers of its own.
  if (!batched) rows.push_back(lifecycles(binary, kRedis, n, Steps::one_call_each, limit));
  Servers servers(binary, kRedis);
  rows.push_back(lifecycles(servers, n, batched ? Steps::batched : Steps::worker_loop, limit));
  servers.redis()->flush_all();
  const Row& jobq = rows.back();
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(limit).count();
  Script s = run_script(*servers.redis(), "lifecycles.mjs",
                        "--jobs " + std::to_string(n) + " --mode " +
                            (batched ? "batched" : "single") + " --producers " +
                            std::to_string(batched ? kBatchedProducers : kSingleProducers) +
                            " --concurrency 8 --limit-s " + std::to_string(secs),
                        limit);
  Row r = bullmq_row(
      batched ? "lifecycles/s, batched: " + std::to_string(kBatchedProducers) +
                    " producers Queue.addBulk of 100, one Worker of concurrency 8, no-op processor"
              : "lifecycles/s, one call per step: " + std::to_string(kSingleProducers) +
                    " producers Queue.add, one Worker of concurrency 8, no-op processor",
      s);
  if (s.failed.empty()) {
    r.n = i64(number(s.out, "jobs_completed"));
    r.seconds = number(s.out, "seconds");
    r.result = group(std::llround(rate_of(r))) + " /s";
    r.target = "jobq ≥ BullMQ";
    r.met = rate_of(jobq) >= rate_of(r);
    std::string ratios = ratio_note(rate_of(jobq), rate_of(r), "lifecycles/s");
    if (!batched)
      ratios = join(ratio_note(rate_of(rows[0]), rate_of(r), "lifecycles/s, one call per step"),
                    ratio_note(rate_of(jobq), rate_of(r), "lifecycles/s, a worker's loop"));
    r.notes = join(ratios, cpu_notes(s, double(std::max<i64>(r.n, 1))));
    if (s.out.if_contains("cut_short") && s.out.at("cut_short").as_bool())
      r.notes = join("cut short at the time limit", r.notes);
  }
  rows.push_back(r);
  return rows;
}

std::vector<Row> latency_pair(const std::string& binary, int samples, Steady::duration limit) {
  Servers servers(binary, kRedis);
  Row jobq = latency(servers, samples, limit);
  servers.redis()->flush_all();
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(limit).count();
  Script s = run_script(*servers.redis(), "latency.mjs",
                        "--samples " + std::to_string(samples) + " --limit-s " +
                            std::to_string(secs),
                        limit);
  Row r = bullmq_row("submit → waiting Worker (concurrency 1): Queue.add to the processor "
                     "running, latency p50 / p99 / max",
                     s);
  if (s.failed.empty()) {
    r.n = i64(number(s.out, "samples"));
    r.result = fixed(1000 * number(s.out, "p50_ms"), 0) + " / " +
               fixed(1000 * number(s.out, "p99_ms"), 0) + " / " +
               fixed(1000 * number(s.out, "max_ms"), 0) + " µs";
    r.notes = "BullMQ's is to its processor running, jobq's to the lease answer read by the client";
  }
  return {jobq, r};
}

std::vector<Row> memory_pair(const std::string& binary, int n, Steady::duration limit) {
  Servers servers(binary, kRedis);
  std::int64_t before = servers.redis()->used_memory();
  Row jobq = submits(servers, n, kBatch, kBatchConns, limit);
  std::int64_t after = servers.redis()->used_memory();
  double jobq_bytes = jobq.n > 0 ? double(after - before) / double(jobq.n) : 0;
  jobq.measurement = "Redis memory per queued job: INFO used_memory after POST /jobs/batch of " +
                     std::to_string(kBatch) + " (no worker) less before, per job";
  jobq.result = group(std::llround(jobq_bytes)) + " B";
  jobq.notes = join("used_memory " + group(before) + " → " + group(after) + " B", jobq.notes);
  servers.redis()->flush_all();
  Script s = run_script(*servers.redis(), "memory.mjs", "--jobs " + std::to_string(n), limit);
  Row r = bullmq_row("Redis memory per queued job: INFO used_memory after Queue.addBulk of 1,000 "
                     "(no worker) less before, per job",
                     s);
  if (s.failed.empty()) {
    double bytes = number(s.out, "bytes_per_job");
    r.n = i64(number(s.out, "jobs"));
    r.result = group(std::llround(bytes)) + " B";
    r.target = "jobq ≤ BullMQ";
    r.met = jobq_bytes <= bytes;
    r.notes = join("used_memory " + group(i64(number(s.out, "used_memory_before"))) + " → " +
                       group(i64(number(s.out, "used_memory_after"))) + " B",
                   bytes > 0 ? "jobq / BullMQ bytes per job: " + fixed(jobq_bytes / bytes, 2) : "");
  }
  return {jobq, r};
}

}  // namespace

std::vector<Row> versus_bullmq(const std::string& binary, int lifecycles_single,
                               int lifecycles_batched, int latency_samples, int queued_jobs,
                               Steady::duration limit) {
  if (!std::filesystem::exists(scripts_dir() / "node_modules/bullmq")) {
    Row r;
    r.measurement = "BullMQ beside jobq on the same redis-server";
    r.store = "BullMQ";
    r.result = "skipped";
    r.notes = "BullMQ is not installed: npm ci in " + scripts_dir().string();
    return {r};
  }
  std::vector<Row> rows;
  for (auto& pair : {lifecycles_pair(binary, lifecycles_single, false, limit),
                     lifecycles_pair(binary, lifecycles_batched, true, limit),
                     latency_pair(binary, latency_samples, limit),
                     memory_pair(binary, queued_jobs, limit)})
    rows.insert(rows.end(), pair.begin(), pair.end());
  return rows;
}

}  // namespace bench
