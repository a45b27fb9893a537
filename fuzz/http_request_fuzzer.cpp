// Fuzzes the HTTP request path of a connection (transport/http_session.cpp and admission.cpp):
// bytes from the socket into Beast's request_parser with the server's default limits (HttpOptions:
// 16 KiB of header, 2 MiB of body), the header first and then the body. Each request's header goes through
// the checks admit() makes before a body is read, in its order: Transfer-Encoding, Host and Origin
// (OriginPolicy), the target (boost::urls::parse_origin_form), method and path (Router), the key
// (Authorization or a WebSocket subprotocol), the WebSocket handshake and Content-Type.
// Keep-alive requests follow one another on the connection until one fails or asks to close.
#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/url/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/job_spec.h"
#include "server/request/auth.h"
#include "server/transport/origin_policy.h"
#include "server/transport/request_checks.h"
#include "server/request/router.h"

namespace beast = boost::beast;
namespace http = beast::http;
using jobq::server::Access;
using jobq::server::Router;
using jobq::server::Transport;

namespace {

constexpr std::size_t kMaxHeaderBytes = 16 << 10;  // HttpOptions::max_header_bytes
constexpr std::size_t kMaxBodyBytes = 2 << 20;     // HttpOptions::max_body_bytes

// The shapes of the server's route table (make_router in api.cpp and handlers/): literals, {param}
// segments, literals beside params (/jobs/batch and /jobs/{id}), one path under several methods,
// and streams. The real table needs a whole server; matching does not depend on the handlers.
Router make_routes() {
  Router r;
  auto none = [](const jobq::server::Call&, jobq::server::Responder) {};
  for (const char* path : {"/",
                           "/jobs",
                           "/jobs/{id}",
                           "/workers",
                           "/dead-letters",
                           "/queues",
                           "/ui/{file}",
                           "/health",
                           "/ready",
                           "/api/v1/health",
                           "/api/v1/ready",
                           "/metrics",
                           "/api/v1/metrics",
                           "/api/v1/openapi.json",
                           "/api/v1/whoami",
                           "/api/v1/queues",
                           "/api/v1/stats",
                           "/api/v1/stats/{type}",
                           "/api/v1/throughput",
                           "/api/v1/workers",
                           "/api/v1/dead-letters",
                           "/api/v1/jobs/{id}/wait"})
    r.add("GET", path, Access::open, none);
  for (const char* path : {"/api/v1/jobs/batch",
                           "/api/v1/jobs",
                           "/api/v1/lease",
                           "/api/v1/ack",
                           "/api/v1/heartbeats",
                           "/api/v1/jobs/{id}/cancel",
                           "/api/v1/jobs/{id}/retry",
                           "/api/v1/jobs/{id}/heartbeat",
                           "/api/v1/jobs/{id}/progress",
                           "/api/v1/jobs/{id}/complete",
                           "/api/v1/jobs/{id}/fail",
                           "/api/v1/jobs/{id}/release",
                           "/api/v1/dead-letters/retry",
                           "/api/v1/dead-letters/{id}/retry",
                           "/api/v1/queues/{queue}/pause",
                           "/api/v1/queues/{queue}/resume",
                           "/api/v1/maintenance/purge",
                           "/api/v1/workers/{id}/beat",
                           "/api/v1/workers/{id}/scale",
                           "/api/v1/workers/{id}/quiet",
                           "/api/v1/workers/{id}/stop"})
    r.add("POST", path, Access::produce, none);
  r.add("GET", "/api/v1/jobs", Access::read, none);
  r.add("GET", "/api/v1/jobs/{id}", Access::read, none);
  r.add("PATCH", "/api/v1/jobs/{id}", Access::produce, none);
  r.add("DELETE", "/api/v1/jobs/{id}", Access::produce, none);
  r.add("DELETE", "/api/v1/dead-letters", Access::operate, none);
  r.add_stream("/api/v1/jobs/{id}/ws", Access::read, Transport::websocket, {});
  r.add_stream("/api/v1/jobs/{id}/events", Access::read, Transport::sse, {});
  r.add_stream("/api/v1/events/ws", Access::read, Transport::websocket, {});
  r.add_stream("/api/v1/events", Access::read, Transport::sse, {});
  return r;
}

const Router& routes() {
  static const Router* r = new Router(make_routes());  // reachable to the end: not a leak
  return *r;
}

// A listed origin and an extra host name, so every verdict can be reached; no keys (the Host check
// runs only then). The keys below are for the key lookups, which run whatever the policy says.
const jobq::server::OriginPolicy& origins() {
  static const auto* p = new jobq::server::OriginPolicy{
      {"https://app.example.com"}, {"jobq.internal"}, "127.0.0.1", false};
  return *p;
}

const jobq::server::ApiKeys& keys() {
  static const auto* k =
      new jobq::server::ApiKeys(*jobq::server::ApiKeys::parse("k1:admin,k2:viewer"));
  return *k;
}

std::string_view view(beast::string_view s) {
  return {s.data(), s.size()};
}

// What admit() and handle() take from a request before a handler runs; returns after a refusal
// as admit() does.
void admit(const http::request<http::string_body>& req) {
  using namespace jobq::server;
  if (check_transfer_encoding(view(req[http::field::transfer_encoding]))) return;
  std::string_view host = view(req[http::field::host]);
  if (origins().check_host(host)) return;
  std::string_view origin = view(req[http::field::origin]);
  std::string_view method = view(req.method_string());
  switch (origins().judge_origin(origin, host)) {
    case OriginPolicy::Verdict::foreign:
      (void)foreign_origin_reply(origin);
      return;
    case OriginPolicy::Verdict::listed:
      if (method == "OPTIONS" && req.count(http::field::access_control_request_method)) {
        (void)preflight_reply(origins(), origin, host);
        return;
      }
      break;
    default:
      break;
  }
  auto target = boost::urls::parse_origin_form(view(req.target()));
  if (!target) return;  // 400
  std::string path = target->path();
  auto match = routes().match(method, path);
  if (!match.route) {
    if (match.path_known && match.allow.empty()) std::abort();  // a 405 must say what is allowed
    return;
  }
  // Each {param} captured one whole segment: never empty, never holding a '/'.
  std::size_t wanted = 0;
  for (const auto& segment : match.route->segments) wanted += segment.front() == '{';
  if (match.params.size() != wanted) std::abort();
  for (const auto& [name, value] : match.params)
    if (value.empty() || value.find('/') != std::string::npos) std::abort();
  bool upgrade = beast::websocket::is_upgrade(req);
  std::optional<std::string> key = bearer_token(view(req[http::field::authorization]));
  if (!key && upgrade)
    key = key_from_websocket_protocols(view(req[http::field::sec_websocket_protocol]));
  if (key) (void)keys().find(*key);
  (void)offers_websocket_protocol(view(req[http::field::sec_websocket_protocol]), "jobq");
  if (match.route->transport == Transport::websocket &&
      check_websocket_handshake(upgrade, view(req[http::field::sec_websocket_version]),
                                view(req[http::field::sec_websocket_key])))
    return;
  bool has_body =
      req.chunked() || (req.has_content_length() && req[http::field::content_length] != "0");
  if (has_body && check_json_content_type(view(req[http::field::content_type]))) return;
  for (auto param : target->params()) (void)std::string(param.value);  // Call::query
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  boost::asio::io_context ioc;
  beast::test::stream socket(ioc);
  socket.append(std::string_view(reinterpret_cast<const char*>(data), size));
  socket.close_remote();  // the client hangs up after its bytes
  beast::flat_buffer buffer;
  for (int requests = 0; requests < 100; ++requests) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(std::uint32_t(kMaxHeaderBytes));
    parser.body_limit(kMaxBodyBytes);
    beast::error_code ec;
    http::read_header(socket, buffer, parser, ec);
    if (ec) return 0;  // answered 400/413/431 and closed, or the client went
    admit(parser.get());
    if (!parser.is_done()) http::read(socket, buffer, parser, ec);
    if (ec) return 0;
    const auto& req = parser.get();
    if (!req.body().empty()) (void)jobq::parse_json(req.body(), "body");
    if (!req.keep_alive()) return 0;
  }
  return 0;
}
