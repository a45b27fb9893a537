// The one translation unit with Asio, Beast (with its TLS stream) and Boost.URL in it. Each step
// starts its asynchronous operation on a private io_context and runs it to completion; the
// tcp_stream's expiry, set to the request's deadline, bounds connect, write and read together.
#include "webhooks/delivery.h"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>
#include <limits>
#include <variant>
#include <vector>

#include "webhooks/signature.h"

namespace jobq::webhooks {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kHeaderLimit = 16 * 1024;
constexpr std::size_t kErrorBodyChars = 200;  // of a refusing answer's body, in the error

struct Target {
  bool tls = false;  // https://
  bool host_is_name = false;
  std::string host;         // to resolve: a name, or an address without brackets
  std::string port;         // digits
  std::string host_header;  // as in the URL, with the port if it had one
  std::string path;         // path and query, at least "/"
};

DeliveryOutcome failure(std::string error, bool retryable, int status = 0) {
  DeliveryOutcome o;
  o.error = std::move(error);
  o.retryable = retryable;
  o.http_status = status;
  return o;
}

// The URL's parts, or the reason it is refused (never retryable).
std::variant<Target, std::string> parse_target(const std::string& url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return "\"" + url + "\" is not an absolute URL";
  const auto& u = *parsed;
  if (u.scheme_id() != boost::urls::scheme::http && u.scheme_id() != boost::urls::scheme::https)
    return "only http:// and https:// URLs can be called, not " + std::string(u.scheme()) + "://";
  if (u.has_userinfo()) return "a user name or password in the URL is refused";
  Target t;
  t.tls = u.scheme_id() == boost::urls::scheme::https;
  switch (u.host_type()) {
    case boost::urls::host_type::ipv4:
    case boost::urls::host_type::ipv6:
      t.host = std::string(u.encoded_host_address());
      break;
    case boost::urls::host_type::name:
      if (u.encoded_host().find('%') != boost::core::string_view::npos)
        return "a percent-encoded host name is refused";
      t.host = std::string(u.encoded_host());
      t.host_is_name = true;
      break;
    default:
      return "the URL has no host it can call";
  }
  if (t.host.empty()) return "the URL has no host";
  if (u.has_port() && u.port().empty()) return "the URL's port is empty";
  if (u.has_port() && u.port_number() == 0) return "the URL's port must be 1 to 65535";
  t.port = u.has_port() ? std::string(u.port()) : (t.tls ? "443" : "80");
  t.host_header = std::string(u.encoded_host_and_port());
  t.path = std::string(u.encoded_path());
  if (t.path.empty()) t.path = "/";
  if (u.has_query()) t.path += "?" + std::string(u.encoded_query());
  return t;
}

IpAddress to_ip(const asio::ip::address& a) {
  if (a.is_v4()) return IpAddress::v4_from(a.to_v4().to_bytes());
  return IpAddress::v6_from(a.to_v6().to_bytes());
}

void run(asio::io_context& ioc) {
  ioc.restart();
  ioc.run();
}

bool retryable_status(int status) {
  return status >= 500 || status == 429;
}

std::string describe(const beast::error_code& ec) {
  if (ec == beast::error::timeout) return "timed out";
  return ec.message();
}

// 4. Sends the request on `stream` (plain or TLS); 5. reads the status, then at most
// max_response_bytes of the body, and judges the answer.
template <class Stream>
DeliveryOutcome exchange(Stream& stream, asio::io_context& ioc, const DeliveryRequest& request,
                         const Target& target, const std::string& where) {
  beast::error_code ec;
  http::request<http::string_body> req{http::verb::post, target.path, 11};
  req.set(http::field::host, target.host_header);
  req.set(http::field::content_type, "application/json");
  req.set(http::field::user_agent, "jobq-webhooks");
  req.set(http::field::connection, "close");
  req.set(kSignatureHeader, signature_header(request.secret, request.timestamp_s, request.body));
  req.set("X-Jobq-Event", request.event);
  req.set("X-Jobq-Delivery", request.delivery_id);
  req.body() = request.body;
  req.prepare_payload();
  http::async_write(stream, req, [&](const beast::error_code& e, std::size_t) { ec = e; });
  run(ioc);
  if (ec) return failure(where + ": sending failed: " + describe(ec), true);

  // 5. The status, then at most max_response_bytes of the body.
  beast::flat_buffer buffer(kHeaderLimit);
  http::response_parser<http::buffer_body> parser;
  parser.header_limit(kHeaderLimit);
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());  // we stop reading at the cap
  http::async_read_header(stream, buffer, parser,
                          [&](const beast::error_code& e, std::size_t) { ec = e; });
  run(ioc);
  if (ec) return failure(where + ": no answer: " + describe(ec), true);

  DeliveryOutcome outcome;
  outcome.http_status = static_cast<int>(parser.get().result_int());
  char chunk[4096];
  while (!parser.is_done() && outcome.response_body.size() < request.max_response_bytes) {
    std::size_t room =
        std::min(sizeof chunk, request.max_response_bytes - outcome.response_body.size());
    parser.get().body().data = chunk;
    parser.get().body().size = room;
    http::async_read(stream, buffer, parser,
                     [&](const beast::error_code& e, std::size_t) { ec = e; });
    run(ioc);
    if (ec == http::error::need_buffer) ec = {};
    outcome.response_body.append(chunk, room - parser.get().body().size);
    if (ec) break;  // the status has come: a broken body does not undo it
  }
  outcome.response_truncated = !parser.is_done() && !ec;
  beast::error_code ignored;
  beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ignored);

  int status = outcome.http_status;
  if (status >= 200 && status < 300) {
    outcome.delivered = true;
    return outcome;
  }
  if (status >= 300 && status < 400) {
    outcome.error = where + ": HTTP " + std::to_string(status) + ": redirects are not followed";
    return outcome;
  }
  outcome.error = where + ": HTTP " + std::to_string(status);
  if (!outcome.response_body.empty())
    outcome.error += ": " + outcome.response_body.substr(0, kErrorBodyChars);
  outcome.retryable = retryable_status(status);
  return outcome;
}

}  // namespace

DeliveryOutcome deliver(const DeliveryRequest& request) {
  const Clock::time_point deadline = Clock::now() + request.timeout;
  auto parsed = parse_target(request.url);
  if (auto* why = std::get_if<std::string>(&parsed)) return failure("refused: " + *why, false);
  const Target& target = std::get<Target>(parsed);
  const std::string where = "POST " + request.url;

  asio::io_context ioc;

  // 2. Resolve, within the deadline, and check every address.
  tcp::resolver resolver(ioc);
  asio::steady_timer resolve_timer(ioc, deadline);
  beast::error_code ec;
  tcp::resolver::results_type results;
  bool resolve_timed_out = false;
  resolver.async_resolve(target.host, target.port, tcp::resolver::numeric_service,
                         [&](const beast::error_code& e, tcp::resolver::results_type r) {
                           ec = e;
                           results = std::move(r);
                           resolve_timer.cancel();
                         });
  resolve_timer.async_wait([&](const beast::error_code& e) {
    if (e) return;
    resolve_timed_out = true;
    resolver.cancel();
  });
  run(ioc);
  if (resolve_timed_out) return failure(where + ": resolving " + target.host + " timed out", true);
  if (ec) return failure(where + ": cannot resolve " + target.host + ": " + ec.message(), true);
  std::vector<tcp::endpoint> checked;
  for (const auto& entry : results) {
    tcp::endpoint endpoint = entry.endpoint();
    IpAddress ip = to_ip(endpoint.address());
    if (auto why = request.policy.refusal(ip)) {
      std::string name = target.host == to_string(ip)
                             ? to_string(ip)
                             : target.host + " resolves to " + to_string(ip);
      return failure("refused: " + name + " (" + *why +
                         "), which webhooks may not call unless it is allow-listed",
                     false);
    }
    checked.push_back(endpoint);
  }
  if (checked.empty()) return failure(where + ": " + target.host + " has no address", true);

  // 3. Connect to a checked address; 4. send.
  beast::tcp_stream stream(ioc);
  stream.expires_at(deadline);
  tcp::endpoint connected;
  stream.async_connect(checked, [&](const beast::error_code& e, const tcp::endpoint& ep) {
    ec = e;
    connected = ep;
  });
  run(ioc);
  if (ec) return failure(where + ": cannot connect: " + describe(ec), true);
  if (auto why = request.policy.refusal(to_ip(connected.address())))  // only checked ones, still
    return failure("refused: connected to " + connected.address().to_string() + " (" + *why + ")",
                   false);

  if (!target.tls) return exchange(stream, ioc, request, target, where);

  // TLS: the peer's certificate must chain to a trusted root (the system's, or ca_file) and
  // name the URL's host; nothing is sent before the handshake has checked both.
  asio::ssl::context tls(asio::ssl::context::tls_client);
  tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                  asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                  asio::ssl::context::no_tlsv1_1);
  if (request.ca_file.empty())
    tls.set_default_verify_paths(ec);
  else
    tls.load_verify_file(request.ca_file, ec);
  if (ec) return failure(where + ": cannot load trusted certificates: " + ec.message(), true);
  tls.set_verify_mode(asio::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> secure(std::move(stream), tls);
  secure.set_verify_callback(asio::ssl::host_name_verification(target.host));
  if (target.host_is_name && !SSL_set_tlsext_host_name(secure.native_handle(), target.host.c_str()))
    return failure(where + ": cannot set the TLS server name", true);
  secure.async_handshake(asio::ssl::stream_base::client,
                         [&](const beast::error_code& e) { ec = e; });
  run(ioc);
  if (ec) return failure(where + ": TLS handshake failed: " + describe(ec), true);
  return exchange(secure, ioc, request, target, where);
}

}  // namespace jobq::webhooks
