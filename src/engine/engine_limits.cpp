// Limits per queue and per type: kept and enforced by the store; the engine checks them and lets
// waiting leases look again when they loosen.
#include "engine/engine_impl.h"

namespace jobq {

Status Engine::set_limits(const LimitSetting& setting) {
  Impl& d = *impl_;
  if (Status s = check_name(setting.scope == LimitScope::queue ? "queue" : "type", setting.name);
      !s.ok())
    return s;
  if (Status s = check_limits(setting.limits); !s.ok()) return s;
  Status s = d.store.write([&](WriteGroup& g) { return g.set_limits(setting); });
  if (!s.ok()) return s;
  auto all = d.store.limits();
  d.limited = !all || !all->empty();
  d.wake_waiters();  // a cap raised or removed may let a waiting lease have a job
  return {};
}

Result<std::vector<LimitSetting>> Engine::limits() {
  return impl_->store.limits();
}

}  // namespace jobq
