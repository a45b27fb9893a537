// Which web pages and host names may reach the API. A page on another site can make a browser
// send requests to jobqd on loopback; so can a site whose DNS name is made to point at 127.0.0.1
// (DNS rebinding). The first shows in the Origin header, the second in Host.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/request/reply.h"

namespace jobq::server {

struct OriginPolicy {
  // Pages on these origins ("https://app.example.com", or "*" for any) may call the API from a
  // browser, with CORS headers on their answers; pages on jobqd's own origin always may.
  std::vector<std::string> cors_origins;
  // Host names that reach this server besides its listen address and localhost; checked only
  // while no API keys are set, when the Host header is all that stands against DNS rebinding.
  std::vector<std::string> allowed_hosts;
  std::string listen_host = "127.0.0.1";  // as bound: an address, perhaps 0.0.0.0 or ::
  bool keys_configured = false;

  // A refusal of the Host header, or nullopt. No Host header (HTTP/1.0) passes.
  std::optional<Reply> check_host(std::string_view host) const;

  enum class Verdict { no_origin, same_origin, listed, foreign };
  Verdict judge_origin(std::string_view origin, std::string_view host) const;
};

// The refusal of a request from a page whose origin is not allowed.
Reply foreign_origin_reply(std::string_view origin);
// What a listed origin's answers carry.
void add_cors_headers(Reply& reply, std::string_view origin);
// The answer to a CORS preflight (OPTIONS with Access-Control-Request-Method) from `origin`.
Reply preflight_reply(const OriginPolicy& policy, std::string_view origin, std::string_view host);

// localhost, or a loopback address (127.0.0.0/8, ::1).
bool is_loopback_host(std::string_view host);

}  // namespace jobq::server
