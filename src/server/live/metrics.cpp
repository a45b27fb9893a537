#include "server/live/metrics.h"

#include <sstream>

namespace jobq::server {

namespace {

// Label values need \, " and newline escaped; queue and type names cannot hold them, routes can't
// either, but escaping keeps the output valid whatever comes.
std::string escape(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void header(std::ostringstream& o, std::string_view name, std::string_view type,
            std::string_view help) {
  o << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
}

}  // namespace

void Metrics::Histogram::observe(double seconds) {
  std::size_t i = 0;
  while (i < kBuckets.size() && seconds > kBuckets[i]) ++i;
  if (i < kBuckets.size()) ++counts[i];
  ++count;
  sum += seconds;
}

Metrics::Metrics(EventBus& bus)
    : bus_(bus), subscription_(bus.subscribe([this](const Event& e) { on_event(e); })) {}

Metrics::~Metrics() {
  bus_.unsubscribe(subscription_);
}

void Metrics::on_event(const Event& e) {
  if (e.remote) return;  // counted by the node that made it
  const Job& j = *e.job;
  std::lock_guard lock(mutex_);
  JobCounters& c = jobs_[{j.queue, j.type}];
  auto run_seconds = [&](Millis end) { return double(end - j.started_at) / 1000.0; };
  switch (e.type) {
    case EventType::submitted:
      ++c.submitted;
      break;
    case EventType::started:
      wait_time_[j.queue].observe(double(j.started_at - std::max(j.run_at, j.created_at)) / 1000.0);
      break;
    case EventType::completed:
      ++c.completed;
      run_time_[j.queue].observe(run_seconds(j.completed_at));
      break;
    case EventType::retrying:
      ++c.retried;
      if (j.error() && j.started_at) run_time_[j.queue].observe(run_seconds(j.error()->at));
      break;
    case EventType::failed:
      ++c.failed;
      if (j.started_at && j.error()) run_time_[j.queue].observe(run_seconds(j.error()->at));
      break;
    case EventType::cancelled:
      ++c.cancelled;
      break;
    default:
      break;
  }
}

void Metrics::record_request(std::string_view method, std::string_view route, int status) {
  std::lock_guard lock(mutex_);
  ++requests_[{std::string(method), std::string(route), status}];
}

std::string Metrics::render(const Stats& stats, std::size_t workers_alive,
                            std::size_t leases_waiting, const DeliveryCounts& outbox) {
  std::ostringstream o;
  std::lock_guard lock(mutex_);
  auto counter = [&](std::string_view name, std::string_view help, auto field) {
    header(o, name, "counter", help);
    for (const auto& [key, c] : jobs_)
      o << name << "{queue=\"" << escape(key.first) << "\",type=\"" << escape(key.second) << "\"} "
        << c.*field << '\n';
  };
  // Counted by the node each change went through: with several nodes on one store, sum them.
  counter("jobq_jobs_submitted_total", "Jobs submitted through this node.",
          &JobCounters::submitted);
  counter("jobq_jobs_completed_total", "Jobs completed through this node.",
          &JobCounters::completed);
  counter("jobq_jobs_failed_total",
          "Jobs that failed with no attempts left (dead letters), through this node.",
          &JobCounters::failed);
  counter("jobq_jobs_retried_total", "Failed attempts that were scheduled again, by this node.",
          &JobCounters::retried);
  counter("jobq_jobs_cancelled_total", "Jobs cancelled through this node.",
          &JobCounters::cancelled);

  header(o, "jobq_queue_depth", "gauge", "Jobs waiting to run, by queue and status.");
  for (const auto& [queue, counts] : stats.by_queue)
    for (JobStatus s : {JobStatus::waiting, JobStatus::scheduled, JobStatus::queued})
      o << "jobq_queue_depth{queue=\"" << escape(queue) << "\",status=\"" << to_string(s) << "\"} "
        << counts[std::size_t(s)] << '\n';
  header(o, "jobq_jobs_running", "gauge", "Jobs running now, by queue.");
  for (const auto& [queue, counts] : stats.by_queue)
    o << "jobq_jobs_running{queue=\"" << escape(queue) << "\"} "
      << counts[std::size_t(JobStatus::running)] << '\n';

  auto histogram = [&](std::string_view name, std::string_view help,
                       const std::map<std::string, Histogram>& by_queue) {
    header(o, name, "histogram", help);
    for (const auto& [queue, h] : by_queue) {
      std::int64_t cumulative = 0;
      for (std::size_t i = 0; i < kBuckets.size(); ++i) {
        cumulative += h.counts[i];
        o << name << "_bucket{queue=\"" << escape(queue) << "\",le=\"" << kBuckets[i] << "\"} "
          << cumulative << '\n';
      }
      o << name << "_bucket{queue=\"" << escape(queue) << "\",le=\"+Inf\"} " << h.count << '\n';
      o << name << "_sum{queue=\"" << escape(queue) << "\"} " << h.sum << '\n';
      o << name << "_count{queue=\"" << escape(queue) << "\"} " << h.count << '\n';
    }
  };
  histogram("jobq_job_run_seconds", "Run time of finished attempts.", run_time_);
  histogram("jobq_job_wait_seconds", "Time from ready to started.", wait_time_);

  header(o, "jobq_workers_alive", "gauge", "Workers whose beats arrive.");
  o << "jobq_workers_alive " << workers_alive << '\n';
  header(o, "jobq_leases_waiting", "gauge", "Long-polling leases waiting for a job.");
  o << "jobq_leases_waiting " << leases_waiting << '\n';
  header(
      o, "jobq_webhook_deliveries", "gauge",
      "Webhook deliveries in the outbox, by status (pending: to be sent; dead: out of attempts).");
  o << "jobq_webhook_deliveries{status=\"pending\"} " << outbox.pending << '\n';
  o << "jobq_webhook_deliveries{status=\"dead\"} " << outbox.dead << '\n';
  header(o, "jobq_http_requests_total", "counter", "HTTP requests by method, route and status.");
  for (const auto& [key, n] : requests_)
    o << "jobq_http_requests_total{method=\"" << escape(std::get<0>(key)) << "\",route=\""
      << escape(std::get<1>(key)) << "\",status=\"" << std::get<2>(key) << "\"} " << n << '\n';
  return o.str();
}

}  // namespace jobq::server
