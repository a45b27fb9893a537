// In-memory index of ready (queued) jobs per queue and type: priority descending, then submit
// order. Leases are served from it; the durable record lives in the store. Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace jobq {

class ReadyIndex {
 public:
  struct Entry {
    int priority;
    std::int64_t seq;
    // Higher priority first, then lower seq (FIFO).
    bool operator<(const Entry& o) const {
      return priority != o.priority ? priority > o.priority : seq < o.seq;
    }
  };

  void add(const std::string& queue, const std::string& type, Entry e);
  void remove(const std::string& queue, const std::string& type, Entry e);
  // Whether the jobs of a queue and type may start now (their limits); empty: all may.
  using Admits = std::function<bool(const std::string& queue, const std::string& type)>;
  // The best entry across `queues` and `types` (empty types: any type) among those `admits`
  // lets start; paused queues have none.
  std::optional<Entry> best(const std::vector<std::string>& queues,
                            const std::vector<std::string>& types,
                            const Admits& admits = {}) const;
  std::size_t size() const { return size_; }
  void clear();
  void set_paused(const std::string& queue, bool paused);
  std::vector<std::string> paused() const { return {paused_.begin(), paused_.end()}; }

 private:
  using Ordered = std::set<Entry>;
  std::unordered_map<std::string, std::unordered_map<std::string, Ordered>> queues_;
  std::size_t size_ = 0;
  std::set<std::string> paused_;
};

}  // namespace jobq
