// Webhook deliveries and the configured hooks as the API's JSON.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "jobq/error.h"
#include "jobq/webhooks.h"

namespace jobq {

// `body` (the JSON the receiver is sent) only when asked for: it holds the whole job.
boost::json::object delivery_to_json(const Delivery& delivery, bool with_body);
boost::json::object hook_to_json(const WebhookHook& hook);
boost::json::object webhook_settings_to_json(const WebhookSettings& settings);

// A server's answers, read back (newer fields are ignored). The API says only whether a delivery
// is claimed, never its token: `claimed` reads as the token kClaimedToken, so that
// !token.empty() still tells a claimed one. `body` reads back as the JSON text sent.
inline constexpr const char* kClaimedToken = "claimed";
Result<Delivery> delivery_from_json(const boost::json::value& v);
Result<WebhookHook> hook_from_json(const boost::json::value& v);
Result<WebhookSettings> webhook_settings_from_json(const boost::json::value& v);

}  // namespace jobq
