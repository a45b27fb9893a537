#include "server/transport/origin_policy.h"

#include <boost/asio/ip/address.hpp>
#include <cctype>

#include "server/transport/text.h"

namespace jobq::server {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The host of a Host header or authority: "[::1]:8080" -> "::1", "a.example:80" -> "a.example".
std::string host_part(std::string_view authority) {
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    return lower(authority.substr(1, close == std::string_view::npos ? close : close - 1));
  }
  return lower(authority.substr(0, authority.find(':')));
}

bool is_ip_literal(const std::string& host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  return !ec;
}

// An authority with its scheme's default port dropped, so that "https://a.example" matches
// "Host: a.example" and "Host: a.example:443" alike.
std::string without_default_port(std::string_view authority, std::string_view scheme) {
  std::string a = lower(authority);
  std::string_view port = scheme == "https" ? ":443" : ":80";
  if (a.size() > port.size() && a.compare(a.size() - port.size(), port.size(), port) == 0)
    a.resize(a.size() - port.size());
  return a;
}

}  // namespace

bool is_loopback_host(std::string_view host) {
  if (iequals(host, "localhost")) return true;
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(host, ec);
  return !ec && address.is_loopback();
}

std::optional<Reply> OriginPolicy::check_host(std::string_view host) const {
  if (keys_configured || host.empty()) return std::nullopt;
  std::string name = host_part(host);
  bool wildcard = listen_host == "0.0.0.0" || listen_host == "::";
  if (iequals(name, listen_host) || is_loopback_host(name) || (wildcard && is_ip_literal(name)))
    return std::nullopt;
  for (const auto& allowed : allowed_hosts)
    if (iequals(name, allowed)) return std::nullopt;
  return error_reply(421, "host_not_allowed",
                     "this server does not answer to the host name \"" + name +
                         "\" while no API keys are set; list it in allowed_hosts "
                         "(JOBQ_ALLOWED_HOSTS) or configure keys",
                     "Host");
}

OriginPolicy::Verdict OriginPolicy::judge_origin(std::string_view origin,
                                                 std::string_view host) const {
  if (origin.empty()) return Verdict::no_origin;
  auto sep = origin.find("://");
  if (sep != std::string_view::npos && !host.empty()) {
    std::string scheme = lower(origin.substr(0, sep));
    if (without_default_port(origin.substr(sep + 3), scheme) == without_default_port(host, scheme))
      return Verdict::same_origin;
  }
  for (const auto& allowed : cors_origins)
    if (allowed == "*" || iequals(allowed, origin)) return Verdict::listed;
  return Verdict::foreign;
}

Reply foreign_origin_reply(std::string_view origin) {
  return error_reply(403, "origin_not_allowed",
                     "requests from pages on " + std::string(origin) +
                         " are refused; list that origin in cors_origins (JOBQ_CORS_ORIGINS) to "
                         "allow them",
                     "Origin");
}

void add_cors_headers(Reply& reply, std::string_view origin) {
  reply.headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
  reply.headers.emplace_back("Access-Control-Expose-Headers", "X-Request-Id, Retry-After");
  reply.headers.emplace_back("Vary", "Origin");
}

Reply preflight_reply(const OriginPolicy& policy, std::string_view origin, std::string_view host) {
  if (policy.judge_origin(origin, host) == OriginPolicy::Verdict::foreign)
    return foreign_origin_reply(origin);
  Reply r = no_content();
  add_cors_headers(r, origin);
  r.headers.emplace_back("Access-Control-Allow-Methods", "GET, POST, PATCH, DELETE");
  r.headers.emplace_back("Access-Control-Allow-Headers",
                         "Authorization, Content-Type, X-Request-Id, If-None-Match");
  r.headers.emplace_back("Access-Control-Max-Age", "600");
  return r;
}

}  // namespace jobq::server
