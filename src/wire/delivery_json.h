// Webhook deliveries and the configured hooks as the API's JSON.
#pragma once

#include <boost/json/object.hpp>

#include "jobq/webhooks.h"

namespace jobq {

// `body` (the JSON the receiver is sent) only when asked for: it holds the whole job.
boost::json::object delivery_to_json(const Delivery& delivery, bool with_body);
boost::json::object hook_to_json(const WebhookHook& hook);

}  // namespace jobq
