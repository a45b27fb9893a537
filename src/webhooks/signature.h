// The signature a webhook carries, so its receiver knows jobq sent it and when. The header
//   X-Jobq-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<unix seconds>.<body>">
// signs the time with the body, so a captured request cannot be replayed once it is older than
// the receiver's tolerance. The receiver recomputes the HMAC with the shared secret.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace jobq::webhooks {

inline constexpr std::string_view kSignatureHeader = "X-Jobq-Signature";

// Lowercase hex HMAC-SHA256 over "<timestamp_s>.<body>" with `secret`.
std::string sign(std::string_view secret, std::int64_t timestamp_s, std::string_view body);

// The header's value: "t=<timestamp_s>,v1=<sign(...)>".
std::string signature_header(std::string_view secret, std::int64_t timestamp_s,
                             std::string_view body);

// Whether `header` signs `body` with `secret` at a time no further than `tolerance_s` from
// `now_s` (either way). The HMACs are compared in constant time; a malformed header fails.
bool verify(std::string_view secret, std::string_view header, std::string_view body,
            std::int64_t now_s, std::int64_t tolerance_s);

}  // namespace jobq::webhooks
