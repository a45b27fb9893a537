// WebSocket streams (a job's changes, the events feed): read text messages until told to stop or
// the server closes. Run on an io_context of the call's own, in the calling thread.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "client/client_calls.h"
#include "client/transport.h"

namespace jobq {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

ApiStatus Client::Transport::stream(std::string_view target,
                                    const std::function<bool(std::string_view)>& on_message,
                                    std::stop_token stop) {
  if (!endpoint_) return endpoint_.error();
  if (stop.stop_requested()) return {};
  const Endpoint& e = *endpoint_;
  const std::string full = e.prefix + std::string(target);
  asio::io_context io(1);
  websocket::stream<beast::tcp_stream> ws(io);
  tcp::resolver resolver(io);
  websocket::response_type upgrade;
  beast::flat_buffer buffer;
  ApiError outcome;
  bool stopping = false;

  auto fail = [&](const char* code, const std::string& what, beast::error_code ec) {
    if (outcome.ok() && !stopping) outcome = ApiError(0, code, what + ": " + ec.message());
  };
  std::function<void()> read_next = [&] {
    ws.async_read(buffer, [&](beast::error_code ec, std::size_t) {
      if (ec) {
        if (ec == websocket::error::closed) {
          auto reason = ws.reason();
          if (reason.code != websocket::close_code::normal && outcome.ok() && !stopping)
            outcome = ApiError(
                0, "closed",
                "the server closed the stream with code " + std::to_string(reason.code) +
                    (reason.reason.empty()
                         ? ""
                         : ": " + std::string(reason.reason.data(), reason.reason.size())));
        } else {
          fail("transport", "reading " + full, ec);
        }
        return;
      }
      std::string text = beast::buffers_to_string(buffer.data());
      buffer.consume(buffer.size());
      if (stopping) return;
      if (!on_message(text)) {
        stopping = true;
        ws.async_close(websocket::close_code::normal, [](beast::error_code) {});
        return;
      }
      read_next();
    });
  };

  beast::get_lowest_layer(ws).expires_after(options_.connect_timeout);
  resolver.async_resolve(e.host, e.port, [&](beast::error_code ec, tcp::resolver::results_type r) {
    if (ec) return fail("connect_failed", "resolving " + e.host, ec);
    beast::get_lowest_layer(ws).async_connect(r, [&](beast::error_code ec2, const tcp::endpoint&) {
      if (ec2) return fail("connect_failed", "connecting to " + e.host + ":" + e.port, ec2);
      ++opened_;
      beast::get_lowest_layer(ws).expires_after(options_.request_timeout);
      ws.set_option(websocket::stream_base::decorator([this](websocket::request_type& req) {
        req.set(http::field::user_agent, options_.user_agent);
        if (!options_.api_key.empty())
          req.set(http::field::authorization, "Bearer " + options_.api_key);
      }));
      ws.async_handshake(upgrade, e.host + ":" + e.port, full, [&](beast::error_code ec3) {
        if (ec3) {
          if (ec3 == websocket::error::upgrade_declined && upgrade.result_int() >= 400) {
            if (outcome.ok()) outcome = error_from_answer(upgrade.result_int(), upgrade.body());
            return;
          }
          return fail("transport", "opening " + full, ec3);
        }
        // From here the server's pings keep the connection alive; no idle limit of our own.
        beast::get_lowest_layer(ws).expires_never();
        websocket::stream_base::timeout t =
            websocket::stream_base::timeout::suggested(beast::role_type::client);
        t.idle_timeout = websocket::stream_base::none();
        ws.set_option(t);
        read_next();
      });
    });
  });

  std::stop_callback on_stop(stop, [&] {
    asio::post(io, [&] {
      if (stopping) return;
      stopping = true;
      if (ws.is_open())
        ws.async_close(websocket::close_code::normal, [](beast::error_code) {});
      else
        beast::get_lowest_layer(ws).close();
    });
  });
  io.run();
  return outcome;
}

}  // namespace jobq
