// What a request's header decides before its body is read: its framing, Host and Origin, the
// route, who the caller is, the WebSocket handshake and the body's type. The first refusal wins.
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/url/parse.hpp>

#include "server/transport/http_server_impl.h"
#include "server/transport/request_checks.h"

namespace jobq::server {

namespace http = boost::beast::http;

HttpServer::Impl::Admission HttpServer::Impl::admit(const Request& req,
                                                    std::string& route_name) const {
  Admission a;
  if (auto bad = check_transfer_encoding(view(req[http::field::transfer_encoding]))) {
    a.refusal = std::move(bad);
    a.close = true;
    return a;
  }
  std::string_view host = view(req[http::field::host]);
  if (auto bad = origins.check_host(host)) {
    a.refusal = std::move(bad);
    return a;
  }
  std::string_view origin = view(req[http::field::origin]);
  std::string_view method = view(req.method_string());
  switch (origins.judge_origin(origin, host)) {
    case OriginPolicy::Verdict::foreign:
      a.refusal = foreign_origin_reply(origin);
      return a;
    case OriginPolicy::Verdict::listed:
      if (method == "OPTIONS" && req.count(http::field::access_control_request_method)) {
        a.refusal = preflight_reply(origins, origin, host);  // carries its own CORS headers
        return a;
      }
      a.cors_origin = origin;
      break;
    default:
      break;
  }
  auto target = boost::urls::parse_origin_form(view(req.target()));
  if (!target) {
    a.refusal = error_reply(400, "bad_request", "malformed request target");
    return a;
  }
  a.target = *target;
  a.path = a.target.path();
  const std::string& path = a.path;
  auto match = router.match(method, path);
  if (!match.route) {
    if (match.path_known) {
      Reply r = error_reply(405, "method_not_allowed",
                            std::string(method) + " is not allowed on " + path);
      r.headers.emplace_back("Allow", match.allow);
      a.refusal = std::move(r);
    } else {
      a.refusal =
          error_reply(404, "route_not_found", "no route " + std::string(method) + " " + path);
    }
    return a;
  }
  const Route& route = *match.route;
  route_name = route.pattern;
  bool upgrade = boost::beast::websocket::is_upgrade(req);
  Credentials offered{view(req[http::field::authorization]),
                      upgrade ? view(req[http::field::sec_websocket_protocol]) : ""};
  auto caller = authorize(keys, offered, route.access);
  if (!caller) {
    const Denial& d = caller.error();
    a.refusal = error_reply(d.status, d.code, d.message, d.field);
    return a;
  }
  if (*caller) {
    a.role = to_string((*caller)->role);
    a.tier = (*caller)->tier;
  }
  if (route.transport == Transport::websocket) {
    a.refusal = check_websocket_handshake(upgrade, view(req[http::field::sec_websocket_version]),
                                          view(req[http::field::sec_websocket_key]));
    if (a.refusal) return a;
  }
  bool has_body =
      req.chunked() || (req.has_content_length() && req[http::field::content_length] != "0");
  if (has_body) {
    a.refusal = check_json_content_type(view(req[http::field::content_type]));
    if (a.refusal) return a;
  }
  a.route = &route;
  a.params = std::move(match.params);
  return a;
}

}  // namespace jobq::server
