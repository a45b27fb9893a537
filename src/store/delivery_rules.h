// The webhook outbox's transitions, as the stores of one process (memory, sqlite) apply them to a
// delivery they hold; the redis scripts apply the same (lua/claim_deliveries.lua,
// settle_delivery.lua, redeliver.lua).
#pragma once

#include <string>

#include "jobq/error.h"
#include "jobq/webhooks.h"

namespace jobq {

Error delivery_not_found(const std::string& id);

// Claimed at `now`: a fresh token, one more attempt, held until now + hold_ms.
void claim(Delivery& delivery, Millis now, Millis hold_ms);
// Whether `token` is still the delivery's claim (a conflict if it ran out and was claimed again).
Status check_claim(const Delivery& delivery, const std::string& token);
// dead -> pending, due at `now`, with its attempts reset; a conflict if it is pending.
Status redeliver(Delivery& delivery, Millis now);

}  // namespace jobq
