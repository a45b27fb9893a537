// Finished jobs per second over the last minute, in total and per type, from the event bus.
#pragma once

#include <array>
#include <map>
#include <mutex>
#include <string>

#include "jobq/clock.h"
#include "jobq/events.h"

namespace jobq::server {

struct Rates {
  double completed_per_s = 0;
  double failed_per_s = 0;  // failed attempts: retried or dead-lettered
};

class Throughput {
 public:
  Throughput(EventBus& bus, const Clock& clock);
  ~Throughput();
  Throughput(const Throughput&) = delete;
  Throughput& operator=(const Throughput&) = delete;

  Rates total();
  Rates of_type(const std::string& type);

 private:
  // One counter per second of the last minute, in a ring indexed by second.
  struct Window {
    std::array<std::int64_t, 60> second{}, completed{}, failed{};
    void add(std::int64_t now_s, bool ok);
    Rates rates(std::int64_t now_s) const;
  };
  void on_event(const Event& e);

  EventBus& bus_;
  const Clock& clock_;
  EventBus::SubscriptionId subscription_;
  std::mutex mutex_;
  Window total_;
  std::map<std::string, Window, std::less<>> by_type_;
};

}  // namespace jobq::server
