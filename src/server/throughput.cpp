#include "server/throughput.h"

namespace jobq::server {

void Throughput::Window::add(std::int64_t now_s, bool ok) {
  std::size_t i = std::size_t(now_s % 60);
  if (second[i] != now_s) {
    second[i] = now_s;
    completed[i] = failed[i] = 0;
  }
  ++(ok ? completed[i] : failed[i]);
}

Rates Throughput::Window::rates(std::int64_t now_s) const {
  Rates r;
  for (std::size_t i = 0; i < 60; ++i) {
    if (now_s - second[i] >= 60) continue;
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
  bool ok = e.type == EventType::completed;
  if (!ok && e.type != EventType::failed && e.type != EventType::retrying) return;
  std::int64_t now_s = clock_.now() / 1000;
  std::lock_guard lock(mutex_);
  total_.add(now_s, ok);
  auto it = by_type_.find(e.job->type);
  if (it == by_type_.end()) it = by_type_.emplace(e.job->type, Window{}).first;
  it->second.add(now_s, ok);
}

Rates Throughput::total() {
  std::lock_guard lock(mutex_);
  return total_.rates(clock_.now() / 1000);
}

Rates Throughput::of_type(const std::string& type) {
  std::lock_guard lock(mutex_);
  auto it = by_type_.find(type);
  return it == by_type_.end() ? Rates{} : it->second.rates(clock_.now() / 1000);
}

}  // namespace jobq::server
