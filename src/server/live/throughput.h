// Finished attempts per second, from the event bus: the rates over the last minute, in total and
// per type, and the total's history of the last 15 minutes for the dashboard's chart.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "jobq/clock.h"
#include "jobq/events.h"

namespace jobq::server {

struct Rates {
  double completed_per_s = 0;
  double failed_per_s = 0;  // failed attempts: retried or dead-lettered
};

// One second with something in it.
struct SecondCount {
  std::int64_t second;  // since the epoch
  std::int64_t completed, failed;
};

class Throughput {
 public:
  static constexpr std::int64_t kHistorySeconds = 900;

  Throughput(EventBus& bus, const Clock& clock);
  ~Throughput();
  Throughput(const Throughput&) = delete;
  Throughput& operator=(const Throughput&) = delete;

  Rates total();
  Rates of_type(const std::string& type);
  // The seconds of the last kHistorySeconds with a finished attempt, oldest first.
  std::vector<SecondCount> history();

 private:
  // One counter per second of the last N seconds, in a ring indexed by second.
  template <std::size_t N>
  struct Window {
    std::array<std::int64_t, N> second{}, completed{}, failed{};
    void add(std::int64_t now_s, bool ok);
    Rates last_minute(std::int64_t now_s) const;
  };
  void on_event(const Event& e);

  EventBus& bus_;
  const Clock& clock_;
  EventBus::SubscriptionId subscription_;
  std::mutex mutex_;
  Window<kHistorySeconds> total_;
  std::map<std::string, Window<60>, std::less<>> by_type_;
};

}  // namespace jobq::server
