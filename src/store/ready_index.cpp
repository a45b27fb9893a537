#include "store/ready_index.h"

namespace jobq {

void ReadyIndex::add(const std::string& queue, const std::string& type, const std::string& user,
                     Entry e) {
  Set& set = queues_[queue][type];
  auto& mine = set.by_user[user];
  if (!mine.empty() && !(e < *mine.begin())) {
    if (mine.insert(e).second) ++size_;
    return;
  }
  if (!mine.empty()) set.heads.erase({*mine.begin(), user});
  if (mine.insert(e).second) ++size_;
  set.heads.insert({e, user});
}

void ReadyIndex::remove(const std::string& queue, const std::string& type, const std::string& user,
                        Entry e) {
  auto q = queues_.find(queue);
  if (q == queues_.end()) return;
  auto t = q->second.find(type);
  if (t == q->second.end()) return;
  Set& set = t->second;
  auto u = set.by_user.find(user);
  if (u == set.by_user.end()) return;
  auto& mine = u->second;
  auto it = mine.find(e);
  if (it == mine.end()) return;
  bool was_head = it == mine.begin();
  mine.erase(it);
  --size_;
  if (was_head) {
    set.heads.erase({e, user});
    if (!mine.empty()) set.heads.insert({*mine.begin(), user});
  }
  if (mine.empty()) set.by_user.erase(u);
  // Empty sets go, so that a lease for "any type" looks only at types with work.
  if (set.by_user.empty()) q->second.erase(t);
  if (q->second.empty()) queues_.erase(q);
}

std::optional<ReadyIndex::Entry> ReadyIndex::best_in(const Set& set,
                                                     const std::optional<Entry>& than,
                                                     const UserAdmits& user_admits) {
  for (const auto& [entry, user] : set.heads) {
    if (than && !(entry < *than)) return std::nullopt;  // heads are in order: none better
    if (user.empty() || !user_admits || user_admits(user)) return entry;
  }
  return std::nullopt;
}

std::optional<ReadyIndex::Entry> ReadyIndex::best(const std::vector<std::string>& queues,
                                                  const std::vector<std::string>& types,
                                                  const Admits& admits,
                                                  const UserAdmits& user_admits) const {
  std::optional<Entry> best;
  // The limits are asked only about a set that would win.
  auto consider = [&](const std::string& queue, const std::string& type, const Set& set) {
    if (set.heads.empty() || (best && !(set.heads.begin()->first < *best))) return;
    if (admits && !admits(queue, type)) return;
    if (auto e = best_in(set, best, user_admits)) best = e;
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
