// Limits per queue and per type: kept and enforced by the store; the engine checks them and lets
// waiting leases look again when they loosen.
#include "engine/engine_impl.h"

namespace jobq {

Status Engine::set_limits(const LimitSetting& setting) {
  Impl& d = *impl_;
  if (Status s = check_name(to_string(setting.scope), setting.name); !s.ok()) return s;
  if (Status s = check_limits(setting.limits); !s.ok()) return s;
  Status s = d.store.write([&](WriteGroup& g) { return g.set_limits(setting); });
  if (!s.ok()) return s;
  if (auto all = d.store.limits()) d.note_limits(*all);
  d.wake_waiters();  // a cap raised or removed may let a waiting lease have a job
  return {};
}

void Engine::Impl::note_limits(const std::vector<LimitSetting>& all) {
  std::set<std::pair<LimitScope, std::string>> scopes;
  for (const LimitSetting& s : all) scopes.emplace(s.scope, s.name);
  std::lock_guard lock(limits_mutex_);
  limited_.swap(scopes);
}

bool Engine::Impl::is_limited(const Job& job) const {
  if (!job.tier.empty() && options.tier_max_running.contains(job.tier)) return true;
  std::lock_guard lock(limits_mutex_);
  return !limited_.empty() && (limited_.contains({LimitScope::queue, job.queue}) ||
                               limited_.contains({LimitScope::type, job.type}));
}

bool Engine::Impl::any_limits() const {
  std::lock_guard lock(limits_mutex_);
  return !limited_.empty();
}

Result<std::vector<LimitSetting>> Engine::limits() {
  return impl_->store.limits();
}

}  // namespace jobq
