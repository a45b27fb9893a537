#include "server/transport/request_checks.h"

#include <string>

#include "server/transport/base64.h"
#include "server/transport/text.h"

namespace jobq::server {

std::optional<Reply> check_transfer_encoding(std::string_view te) {
  if (te.empty() || iequals(trim(te), "chunked")) return std::nullopt;
  return error_reply(400, "bad_request",
                     "Transfer-Encoding \"" + std::string(te) +
                         "\" is not supported: send a body with Content-Length, or chunked alone",
                     "Transfer-Encoding");
}

std::optional<Reply> check_json_content_type(std::string_view content_type) {
  std::string_view media = trim(content_type.substr(0, content_type.find(';')));
  if (iequals(media, "application/json")) return std::nullopt;
  std::string said = content_type.empty() ? "no Content-Type" : "Content-Type " +
                                                                    std::string(content_type);
  return error_reply(415, "unsupported_media_type",
                     "request bodies are JSON and must be sent with Content-Type: "
                     "application/json (this one had " +
                         said + ")",
                     "Content-Type");
}

std::optional<Reply> check_websocket_handshake(bool is_upgrade, std::string_view version,
                                               std::string_view key) {
  if (!is_upgrade) {
    Reply r = error_reply(426, "upgrade_required",
                          "this route takes a WebSocket: a GET with Connection: Upgrade and "
                          "Upgrade: websocket",
                          "Upgrade");
    r.headers.emplace_back("Upgrade", "websocket");
    return r;
  }
  if (trim(version) != "13") {
    Reply r = error_reply(426, "upgrade_required", "WebSocket version 13 (RFC 6455) is spoken here",
                          "Sec-WebSocket-Version");
    r.headers.emplace_back("Sec-WebSocket-Version", "13");
    return r;
  }
  auto nonce = base64_decode(trim(key), Base64::standard);
  if (!nonce || nonce->size() != 16)
    return error_reply(400, "bad_request",
                       "Sec-WebSocket-Key must be 16 random bytes in base64 (RFC 6455 4.1)",
                       "Sec-WebSocket-Key");
  return std::nullopt;
}

}  // namespace jobq::server
