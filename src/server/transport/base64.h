// Base64 decoding (RFC 4648): the standard alphabet for Sec-WebSocket-Key, the URL-safe one for
// keys offered as WebSocket subprotocols.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace jobq::server {

enum class Base64 { standard, url };

// The bytes `text` encodes, or nullopt if it is not base64 of that alphabet. Padding is optional,
// but a lone trailing character, which encodes no byte, is refused.
std::optional<std::string> base64_decode(std::string_view text, Base64 alphabet);

}  // namespace jobq::server
