// Checks of a request's header fields, made before its body is read: how the body is framed,
// that it is JSON, and that a WebSocket handshake is one RFC 6455 allows. Each returns the
// refusal, or nullopt when the request may go on.
#pragma once

#include <optional>
#include <string_view>

#include "server/request/reply.h"

namespace jobq::server {

// RFC 9112 section 6.3: a Transfer-Encoding other than a lone "chunked" cannot be framed, and a
// server that guessed might read the body differently from a proxy in front of it (request
// smuggling). The connection is closed after this refusal.
std::optional<Reply> check_transfer_encoding(std::string_view transfer_encoding);

// A request with a body must say it is JSON: a page on another site can send text/plain or
// form bodies without a CORS preflight, but not application/json.
std::optional<Reply> check_json_content_type(std::string_view content_type);

// The fields of a WebSocket opening handshake, on a route that takes one. `is_upgrade`: the
// request asks to upgrade to websocket (Connection: upgrade, Upgrade: websocket, a GET).
std::optional<Reply> check_websocket_handshake(bool is_upgrade, std::string_view version,
                                               std::string_view key);

}  // namespace jobq::server
