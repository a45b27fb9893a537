#include "store/limit_gate.h"

namespace jobq {

void LimitGate::set(const LimitSetting& s) {
  Key key{s.scope, s.name};
  if (s.limits.none()) {
    limits_.erase(key);
    return;
  }
  RateBucket bucket = kept_bucket(s);
  limits_[key] = {s.limits, bucket};
}

RateBucket LimitGate::kept_bucket(const LimitSetting& s) const {
  const Limit* now = find(s.scope, s.name);
  return now && now->limits.starts == s.limits.starts ? now->bucket : RateBucket{};
}

void LimitGate::restore(const LimitSetting& s, RateBucket bucket) {
  limits_[{s.scope, s.name}] = {s.limits, bucket};
}

const LimitGate::Limit* LimitGate::find(LimitScope scope, const std::string& name) const {
  auto it = limits_.find({scope, name});
  return it == limits_.end() ? nullptr : &it->second;
}

std::vector<LimitSetting> LimitGate::all() const {
  std::vector<LimitSetting> out;
  for (const auto& [key, limit] : limits_) out.push_back({key.first, key.second, limit.limits});
  return out;
}

void LimitGate::count_running(const std::string& queue, const std::string& type, int delta) {
  auto bump = [delta](auto& counts, const std::string& name) {
    auto it = counts.try_emplace(name, 0).first;
    if ((it->second += delta) <= 0) counts.erase(it);
  };
  bump(running_queue_, queue);
  bump(running_type_, type);
}

void LimitGate::clear() {
  limits_.clear();
  running_queue_.clear();
  running_type_.clear();
  running_user_.clear();
}

void LimitGate::set_user_caps(std::map<std::string, std::int64_t> by_tier) {
  std::erase_if(by_tier, [](const auto& cap) { return cap.second <= 0; });
  user_caps_ = std::move(by_tier);
}

void LimitGate::count_user_running(const std::string& user, int delta) {
  if (user.empty()) return;
  auto it = running_user_.try_emplace(user, 0).first;
  if ((it->second += delta) <= 0) running_user_.erase(it);
}

bool LimitGate::admits_user(const std::string& user) const {
  if (user.empty() || user_caps_.empty()) return true;
  auto cap = user_caps_.find(user.substr(0, user.find('/')));
  if (cap == user_caps_.end()) return true;
  auto running = running_user_.find(user);
  return running == running_user_.end() || running->second < cap->second;
}

std::string running_cap_key(const Job& job) {
  if (job.tier.empty() || job.user_id.empty()) return {};
  return job.tier + "/" + job.user_id;
}

bool LimitGate::admits(const std::string& queue, const std::string& type, Millis now) const {
  return limits_.empty() || (admits({LimitScope::queue, queue}, running_queue_, now) &&
                             admits({LimitScope::type, type}, running_type_, now));
}

bool LimitGate::admits(const Key& key, const std::unordered_map<std::string, std::int64_t>& running,
                       Millis now) const {
  auto it = limits_.find(key);
  if (it == limits_.end()) return true;
  const Limits& l = it->second.limits;
  if (l.max_running > 0) {
    auto r = running.find(key.second);
    if (r != running.end() && r->second >= l.max_running) return false;
  }
  return wait_for_tokens(it->second.bucket, l.starts, 1, now) == 0;
}

}  // namespace jobq
