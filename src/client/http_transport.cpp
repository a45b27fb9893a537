// HTTP/1.1 over a pool of keep-alive connections. Each connection owns a small io_context that
// the calling thread runs for the length of one call, so timeouts are the stream's own and no
// thread of the client's is needed.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <optional>

#include "client/transport.h"

namespace jobq {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::uint64_t kMaxAnswerBytes = 256ull << 20;

ApiError transport_error(const char* code, const std::string& what, const beast::error_code& ec) {
  return ApiError(0, code, what + ": " + ec.message());
}

}  // namespace

ApiResult<Endpoint> parse_url(std::string_view url) {
  constexpr std::string_view scheme = "http://";
  if (url.substr(0, scheme.size()) != scheme) {
    if (url.substr(0, 8) == "https://")
      return ApiError(0, "invalid_argument",
                      "https is not supported; use http:// (" + std::string(url) + ")", "url");
    return ApiError(0, "invalid_argument",
                    "must look like http://host:port, not \"" + std::string(url) + "\"", "url");
  }
  url.remove_prefix(scheme.size());
  Endpoint e;
  std::size_t slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  if (slash != std::string_view::npos) {
    e.prefix = std::string(url.substr(slash));
    while (!e.prefix.empty() && e.prefix.back() == '/') e.prefix.pop_back();
  }
  std::size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    e.port = std::string(authority.substr(colon + 1));
    authority = authority.substr(0, colon);
    if (e.port.empty() || e.port.find_first_not_of("0123456789") != std::string::npos)
      return ApiError(0, "invalid_argument", "bad port in \"" + std::string(url) + "\"", "url");
  }
  if (authority.size() > 2 && authority.front() == '[' && authority.back() == ']')
    authority = authority.substr(1, authority.size() - 2);
  if (authority.empty()) return ApiError(0, "invalid_argument", "no host in the URL", "url");
  e.host = std::string(authority);
  return e;
}

struct Client::Transport::Connection {
  asio::io_context io{1};
  beast::tcp_stream stream{io};
  beast::flat_buffer buffer;
  bool reused = false;
};

Client::Transport::Transport(const ClientOptions& options)
    : options_(options), endpoint_(parse_url(options.url)) {}

Client::Transport::~Transport() = default;

std::unique_ptr<Client::Transport::Connection> Client::Transport::take() {
  std::lock_guard lock(mutex_);
  if (idle_.empty()) return nullptr;
  auto c = std::move(idle_.back());
  idle_.pop_back();
  c->reused = true;
  return c;
}

void Client::Transport::give_back(std::unique_ptr<Connection> c) {
  std::lock_guard lock(mutex_);
  if (idle_.size() < options_.max_idle_connections) idle_.push_back(std::move(c));
}

ApiStatus Client::Transport::connect(Connection& c) {
  const Endpoint& e = *endpoint_;
  tcp::resolver resolver(c.io);
  beast::error_code result = asio::error::would_block;
  c.stream.expires_after(options_.connect_timeout);
  resolver.async_resolve(e.host, e.port, [&](beast::error_code ec, tcp::resolver::results_type r) {
    if (ec) {
      result = ec;
      return;
    }
    c.stream.async_connect(r, [&](beast::error_code ec2, const tcp::endpoint&) { result = ec2; });
  });
  c.io.restart();
  c.io.run();
  if (result) {
    std::string where = "connecting to " + e.host + ":" + e.port;
    if (result == beast::error::timeout) return transport_error("timeout", where, result);
    return transport_error("connect_failed", where, result);
  }
  c.stream.socket().set_option(tcp::no_delay(true));
  ++opened_;
  return {};
}

ApiResult<HttpAnswer> Client::Transport::request(std::string_view method, std::string_view target,
                                                 const std::string* body,
                                                 std::chrono::milliseconds timeout,
                                                 std::stop_token stop) {
  if (!endpoint_) return endpoint_.error();
  const Endpoint& e = *endpoint_;
  http::request<http::string_body> req;
  req.method(http::string_to_verb(beast::string_view(method.data(), method.size())));
  if (req.method() == http::verb::unknown)
    return ApiError(0, "invalid_argument", "unknown HTTP method " + std::string(method), "method");
  std::string full = e.prefix + std::string(target);
  req.target(full);
  req.version(11);
  req.set(http::field::host, e.host + ":" + e.port);
  req.set(http::field::user_agent, options_.user_agent);
  req.set(http::field::accept, "application/json");
  if (!options_.api_key.empty()) req.set(http::field::authorization, "Bearer " + options_.api_key);
  if (body) {
    req.set(http::field::content_type, "application/json");
    req.body() = *body;
  }
  req.keep_alive(true);
  req.prepare_payload();

  // A pooled connection the server has closed meanwhile fails at once, before the server read
  // anything; such a failure is tried once more on a new connection.
  for (int round = 0; round < 2; ++round) {
    if (stop.stop_requested()) return ApiError(0, "cancelled", "the call was cancelled");
    std::unique_ptr<Connection> c = take();
    if (!c) {
      c = std::make_unique<Connection>();
      if (ApiStatus s = connect(*c); !s.ok()) return s;
    }
    std::optional<http::response_parser<http::string_body>> parser;
    parser.emplace();
    parser->body_limit(kMaxAnswerBytes);
    beast::error_code result = asio::error::would_block;
    bool wrote = false;
    c->stream.expires_after(timeout);
    http::async_write(c->stream, req, [&](beast::error_code ec, std::size_t) {
      if (ec) {
        result = ec;
        return;
      }
      wrote = true;
      http::async_read(c->stream, c->buffer, *parser,
                       [&](beast::error_code ec2, std::size_t) { result = ec2; });
    });
    {
      Connection* raw = c.get();
      std::stop_callback on_stop(
          stop, [raw] { asio::post(raw->io, [raw] { raw->stream.socket().close(); }); });
      c->io.restart();
      c->io.run();
    }
    if (!result) {
      auto& res = parser->get();
      HttpAnswer answer{int(res.result_int()), std::move(res.body())};
      // A stop that came too late may have left a close queued on this connection: drop it.
      if (res.keep_alive() && !stop.stop_requested()) give_back(std::move(c));
      return answer;
    }
    if (stop.stop_requested()) return ApiError(0, "cancelled", "the call was cancelled");
    std::string where = std::string(method) + " " + full;
    if (result == beast::error::timeout) return transport_error("timeout", where, result);
    bool stale = c->reused &&
                 (result == http::error::end_of_stream || result == asio::error::connection_reset ||
                  result == asio::error::broken_pipe || (!wrote && round == 0)) &&
                 parser->got_some() == false;
    if (!stale || round == 1) return transport_error("transport", where, result);
  }
  return ApiError(0, "transport", "unreachable");
}

}  // namespace jobq
