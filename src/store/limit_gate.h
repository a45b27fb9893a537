// The limits as a store of one process (memory, sqlite) keeps them beside its ready index: each
// limit with its bucket, and how many jobs run per queue and per type, so that a lease knows which
// ready sets it may take from now. Not thread-safe.
#pragma once

#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/rate_bucket.h"
#include "jobq/job.h"
#include "jobq/limits.h"

namespace jobq {

class LimitGate {
 public:
  struct Limit {
    Limits limits;
    RateBucket bucket;
  };
  using Key = std::pair<LimitScope, std::string>;

  // none() removes the limit. A changed rate starts from a full bucket.
  void set(const LimitSetting& setting);
  // The bucket `setting` would have once set: the one it has if its rate stays, else full.
  RateBucket kept_bucket(const LimitSetting& setting) const;
  void restore(const LimitSetting& setting, RateBucket bucket);
  const Limit* find(LimitScope scope, const std::string& name) const;
  std::vector<LimitSetting> all() const;  // by scope, then name
  bool empty() const { return limits_.empty() && user_caps_.empty(); }

  // A job of this queue and type started running (+1) or stopped (-1).
  void count_running(const std::string& queue, const std::string& type, int delta);
  void clear();  // limits and counts, not the user caps

  // Users' running caps by tier: at most that many jobs of one user in the tier run at once.
  // Settings of the process, not of the store: kept across clear().
  void set_user_caps(std::map<std::string, std::int64_t> by_tier);
  // A job of this user key (running_cap_key) started running (+1) or stopped (-1).
  void count_user_running(const std::string& user, int delta);
  bool admits_user(const std::string& user) const;

  // Whether a job of this queue and type may start at `now`.
  bool admits(const std::string& queue, const std::string& type, Millis now) const;
  // A job of this queue and type starts at `now` (admits() said so): it takes its tokens. Calls
  // moved(key, bucket) for each bucket that changed.
  template <class Moved>
  void take(const std::string& queue, const std::string& type, Millis now, Moved&& moved);

 private:
  bool admits(const Key& key, const std::unordered_map<std::string, std::int64_t>& running,
              Millis now) const;

  std::map<Key, Limit> limits_;
  std::unordered_map<std::string, std::int64_t> running_queue_, running_type_;
  std::map<std::string, std::int64_t> user_caps_;               // by tier
  std::unordered_map<std::string, std::int64_t> running_user_;  // by running_cap_key
};

// The key a job's user is capped under: "TIER/USER" (names cannot hold a '/'), or "" when the
// job has no user or no tier, so no user cap applies to it.
std::string running_cap_key(const Job& job);

template <class Moved>
void LimitGate::take(const std::string& queue, const std::string& type, Millis now, Moved&& moved) {
  for (Key key : {Key{LimitScope::queue, queue}, Key{LimitScope::type, type}}) {
    auto it = limits_.find(key);
    if (it == limits_.end() || it->second.limits.starts.count == 0) continue;
    if (take_tokens(it->second.bucket, it->second.limits.starts, 1, now))
      moved(it->first, it->second.bucket);
  }
}

}  // namespace jobq
