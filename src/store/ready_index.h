// In-memory index of ready (queued) jobs per queue and type: priority descending, then submit
// order. Leases are served from it; the durable record lives in the store. Not thread-safe.
//
// Within a queue and type, entries are kept per user (the key of a running cap, "TIER/USER", or
// "" for jobs no user cap applies to), with each user's best entry in an ordered set of heads, so
// that a lease passing over users at their cap looks at one entry per such user, never at all
// of their jobs.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
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

  void add(const std::string& queue, const std::string& type, const std::string& user, Entry e);
  void remove(const std::string& queue, const std::string& type, const std::string& user, Entry e);
  // Whether the jobs of a queue and type may start now (their limits); empty: all may.
  using Admits = std::function<bool(const std::string& queue, const std::string& type)>;
  // Whether a job of this user key may start now (its running cap); never asked about "".
  using UserAdmits = std::function<bool(const std::string& user)>;
  // The best entry across `queues` and `types` (empty types: any type) among those `admits` and
  // `user_admits` let start; paused queues have none.
  std::optional<Entry> best(const std::vector<std::string>& queues,
                            const std::vector<std::string>& types, const Admits& admits = {},
                            const UserAdmits& user_admits = {}) const;
  std::size_t size() const { return size_; }
  void clear();
  void set_paused(const std::string& queue, bool paused);
  std::vector<std::string> paused() const { return {paused_.begin(), paused_.end()}; }

 private:
  struct Set {
    std::unordered_map<std::string, std::set<Entry>> by_user;
    std::set<std::pair<Entry, std::string>> heads;  // each user's best entry, best first
  };
  // The best entry of `set` that `user_admits` lets start, if it beats `than`.
  static std::optional<Entry> best_in(const Set& set, const std::optional<Entry>& than,
                                      const UserAdmits& user_admits);

  std::unordered_map<std::string, std::unordered_map<std::string, Set>> queues_;
  std::size_t size_ = 0;
  std::set<std::string> paused_;
};

}  // namespace jobq
