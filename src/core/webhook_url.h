// The rules a webhook URL meets before jobq keeps it (a job's callback_url, a configured hook).
// Only its form is checked here; where it points is judged at each send, after DNS
// (src/webhooks/address_policy.h).
#pragma once

#include <string_view>

#include "jobq/error.h"

namespace jobq {

inline constexpr std::size_t kMaxWebhookUrl = 2048;

// http:// or https://host[:port][/path][?query]; no user name or password, no fragment, no
// spaces or control characters. The error names `field`.
Status check_webhook_url(std::string_view field, std::string_view url);

}  // namespace jobq
