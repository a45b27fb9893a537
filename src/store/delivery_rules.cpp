#include "store/delivery_rules.h"

#include "core/ids.h"

namespace jobq {

Error delivery_not_found(const std::string& id) {
  return Error::not_found("no webhook delivery " + id);
}

void claim(Delivery& d, Millis now, Millis hold_ms) {
  d.token = new_lease_token();
  d.attempts += 1;
  d.next_at = now + hold_ms;
  d.updated_at = now;
}

Status check_claim(const Delivery& d, const std::string& token) {
  if (d.token.empty() || d.token != token)
    return Error::conflict("webhook delivery " + d.id + " was claimed again");
  return {};
}

Status redeliver(Delivery& d, Millis now) {
  if (d.status != DeliveryStatus::dead)
    return Error::conflict("webhook delivery " + d.id + " is pending; only a dead one is retried");
  d.status = DeliveryStatus::pending;
  d.attempts = 0;
  d.next_at = now;
  d.updated_at = now;
  d.token.clear();
  return {};
}

}  // namespace jobq
