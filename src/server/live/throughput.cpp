#include "server/live/throughput.h"

namespace jobq::server {

template <std::size_t N>
void Throughput::Window<N>::add(std::int64_t now_s, bool ok) {
  std::size_t i = std::size_t(now_s % std::int64_t(N));
  if (second[i] != now_s) {
    second[i] = now_s;
    completed[i] = failed[i] = 0;
  }
  ++(ok ? completed[i] : failed[i]);
}

template <std::size_t N>
Rates Throughput::Window<N>::last_minute(std::int64_t now_s) const {
  Rates r;
  for (std::int64_t s = now_s - 59; s <= now_s; ++s) {
    std::size_t i = std::size_t(s % std::int64_t(N));
    if (second[i] != s) continue;
    r.completed_per_s += double(completed[i]);
    r.failed_per_s += double(failed[i]);
  }
  r.completed_per_s /= 60;
  r.failed_per_s /= 60;
  return r;
}

Throughput::Throughput(EventBus& bus, const Clock& clock)
    : bus_(bus),
      clock_(clock),
      subscription_(bus.subscribe([this](const Event& e) { on_event(e); })) {}

Throughput::~Throughput() {
  bus_.unsubscribe(subscription_);
}

void Throughput::on_event(const Event& e) {
  if (e.remote) return;  // counted by the node that made it
  bool ok = e.type == EventType::completed;
  if (!ok && e.type != EventType::failed && e.type != EventType::retrying) return;
  std::int64_t now_s = clock_.now() / 1000;
  std::lock_guard lock(mutex_);
  total_.add(now_s, ok);
  auto it = by_type_.find(e.job->type);
  if (it == by_type_.end()) it = by_type_.emplace(e.job->type, Window<60>{}).first;
  it->second.add(now_s, ok);
}

Rates Throughput::total() {
  std::lock_guard lock(mutex_);
  return total_.last_minute(clock_.now() / 1000);
}

Rates Throughput::of_type(const std::string& type) {
  std::lock_guard lock(mutex_);
  auto it = by_type_.find(type);
  return it == by_type_.end() ? Rates{} : it->second.last_minute(clock_.now() / 1000);
}

std::vector<SecondCount> Throughput::history() {
  std::int64_t now_s = clock_.now() / 1000;
  std::vector<SecondCount> out;
  std::lock_guard lock(mutex_);
  for (std::int64_t s = now_s - kHistorySeconds + 1; s <= now_s; ++s) {
    std::size_t i = std::size_t(s % kHistorySeconds);
    if (total_.second[i] == s) out.push_back({s, total_.completed[i], total_.failed[i]});
  }
  return out;
}

}  // namespace jobq::server
