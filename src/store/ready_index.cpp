#include "store/ready_index.h"

namespace jobq {

void ReadyIndex::add(const std::string& queue, const std::string& type, Entry e) {
  if (queues_[queue][type].insert(e).second) ++size_;
}

void ReadyIndex::remove(const std::string& queue, const std::string& type, Entry e) {
  auto q = queues_.find(queue);
  if (q == queues_.end()) return;
  auto t = q->second.find(type);
  if (t == q->second.end()) return;
  size_ -= t->second.erase(e);
  // Empty sets go, so that a lease for "any type" looks only at types with work.
  if (t->second.empty()) q->second.erase(t);
  if (q->second.empty()) queues_.erase(q);
}

std::optional<ReadyIndex::Entry> ReadyIndex::best(const std::vector<std::string>& queues,
                                                  const std::vector<std::string>& types,
                                                  const Admits& admits) const {
  std::optional<Entry> best;
  // The limits are asked only about a set that would win.
  auto consider = [&](const std::string& queue, const std::string& type, const Ordered& set) {
    if (!set.empty() && (!best || *set.begin() < *best) && (!admits || admits(queue, type)))
      best = *set.begin();
  };
  for (const auto& queue : queues) {
    if (paused_.contains(queue)) continue;
    auto q = queues_.find(queue);
    if (q == queues_.end()) continue;
    if (types.empty()) {
      for (const auto& [type, set] : q->second) consider(queue, type, set);
    } else {
      for (const auto& type : types) {
        if (auto t = q->second.find(type); t != q->second.end()) consider(queue, type, t->second);
      }
    }
  }
  return best;
}

void ReadyIndex::set_paused(const std::string& queue, bool paused) {
  if (paused)
    paused_.insert(queue);
  else
    paused_.erase(queue);
}

void ReadyIndex::clear() {
  queues_.clear();
  paused_.clear();
  size_ = 0;
}

}  // namespace jobq
