// Prometheus metrics: job counters and histograms from the event bus, HTTP requests from the
// server, and gauges sampled from the store when scraped.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "jobq/engine.h"
#include "jobq/events.h"

namespace jobq::server {

class Metrics {
 public:
  explicit Metrics(EventBus& bus);
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  void record_request(std::string_view method, std::string_view route, int status);
  // The text exposition format (version 0.0.4); depth and running gauges come from `stats`.
  std::string render(const Stats& stats, std::size_t workers_alive, std::size_t leases_waiting,
                     const DeliveryCounts& outbox);

 private:
  static constexpr std::array<double, 14> kBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                      1,     2.5,  5,     10,   30,  60,   300};
  struct Histogram {
    std::array<std::int64_t, kBuckets.size()> counts{};  // not cumulative; summed when rendered
    std::int64_t count = 0;
    double sum = 0;
    void observe(double seconds);
  };
  struct JobCounters {
    std::int64_t submitted = 0, completed = 0, failed = 0, retried = 0, cancelled = 0;
  };
  void on_event(const Event& e);

  EventBus& bus_;
  EventBus::SubscriptionId subscription_;
  std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, JobCounters> jobs_;  // (queue, type)
  std::map<std::string, Histogram> run_time_, wait_time_;            // by queue
  std::map<std::tuple<std::string, std::string, int>, std::int64_t> requests_;
};

}  // namespace jobq::server
