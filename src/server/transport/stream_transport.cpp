// The only translation unit with Beast's WebSocket templates.
#include "server/transport/stream_transport.h"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace jobq::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

namespace {

constexpr auto kKeepAlive = std::chrono::seconds(15);

// What both transports share: the stream, a timer that wakes the writer when the stream has
// something (or a held progress message is due), and whether the client has gone.
struct Feed {
  StreamOpening opening;
  asio::steady_timer wake;
  // Set by the stream before the cancel is posted: a push that lands while the writer is busy
  // (not yet waiting) is not lost, because the writer checks this before it waits.
  std::atomic<bool> pending{false};
  bool peer_gone = false;

  Feed(StreamOpening o, const asio::any_io_executor& ex) : opening(std::move(o)), wake(ex) {}
  ~Feed() { opening.close(); }

  // Called on any thread by the stream; the timer is touched on its own executor only.
  static void connect(const std::shared_ptr<Feed>& feed) {
    std::weak_ptr<Feed> weak = feed;
    auto ex = feed->wake.get_executor();
    feed->opening.stream->on_ready([weak, ex] {
      if (auto f = weak.lock()) f->pending = true;
      asio::post(ex, [weak] {
        if (auto f = weak.lock()) f->wake.cancel();
      });
    });
  }

  // Waits until there may be more to take; true if it was the keep-alive interval that passed.
  asio::awaitable<bool> wait(std::optional<std::int64_t> due_in_ms) {
    if (pending.exchange(false)) co_return false;
    wake.expires_after(due_in_ms
                           ? std::chrono::milliseconds(std::max<std::int64_t>(*due_in_ms, 1))
                           : std::chrono::duration_cast<std::chrono::milliseconds>(kKeepAlive));
    auto [ec] = co_await wake.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return !ec && !due_in_ms;
  }

  void gone() {
    peer_gone = true;
    wake.cancel();
  }
};

std::string_view event_name(const std::string& message) {
  // Messages are {"event":"<name>",...}, written by event_message().
  constexpr std::string_view kPrefix = R"({"event":")";
  std::string_view m(message);
  if (m.substr(0, kPrefix.size()) != kPrefix) return "message";
  m.remove_prefix(kPrefix.size());
  return m.substr(0, m.find('"'));
}

}  // namespace

asio::awaitable<void> serve_websocket(beast::tcp_stream stream, HttpRequest req,
                                      std::string request_id, StreamOpening opening) {
  struct Session {
    websocket::stream<beast::tcp_stream> ws;
    std::shared_ptr<Feed> feed;
  };
  auto ex = stream.get_executor();
  auto s =
      std::make_shared<Session>(Session{websocket::stream<beast::tcp_stream>(std::move(stream)),
                                        std::make_shared<Feed>(std::move(opening), ex)});
  beast::get_lowest_layer(s->ws).expires_never();
  auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
  timeouts.keep_alive_pings = true;  // a vanished client is noticed within the idle timeout
  s->ws.set_option(timeouts);
  s->ws.read_message_max(64 * 1024);
  // A browser fails the connection unless the server chooses one of the subprotocols it offered;
  // one that sends its key as a subprotocol offers "jobq" too (auth.h).
  bool jobq_protocol = offers_websocket_protocol(req[http::field::sec_websocket_protocol], "jobq");
  s->ws.set_option(websocket::stream_base::decorator(
      [jobq_protocol, request_id = std::move(request_id)](websocket::response_type& res) {
        res.set(http::field::server, "jobq");
        res.set("X-Request-Id", request_id);
        if (jobq_protocol) res.set(http::field::sec_websocket_protocol, "jobq");
      }));
  auto [accept_ec] = co_await s->ws.async_accept(req, asio::as_tuple(asio::use_awaitable));
  if (accept_ec) co_return;
  s->ws.text(true);
  Feed::connect(s->feed);

  // Reads until the client closes or vanishes; the session lives until both halves are done.
  asio::co_spawn(
      ex,
      [s]() -> asio::awaitable<void> {
        beast::flat_buffer buffer;
        for (;;) {
          auto [ec, n] = co_await s->ws.async_read(buffer, asio::as_tuple(asio::use_awaitable));
          if (ec) break;
          buffer.consume(buffer.size());  // clients have nothing to say on these streams
        }
        s->feed->gone();
      },
      asio::detached);

  auto send = [&s](const std::string& text) -> asio::awaitable<bool> {
    auto [ec, n] =
        co_await s->ws.async_write(asio::buffer(text), asio::as_tuple(asio::use_awaitable));
    co_return !ec;
  };
  Feed& feed = *s->feed;
  if (feed.opening.first && !co_await send(*feed.opening.first)) co_return;
  for (;;) {
    auto taken = feed.opening.stream->take();
    for (const Message& m : taken.messages)
      if (!co_await send(*m)) co_return;
    if (feed.peer_gone) co_return;
    if (taken.end != EventStream::End::none) {
      websocket::close_reason reason(websocket::close_code::normal);
      if (taken.end == EventStream::End::shutdown)
        reason = {websocket::close_code::going_away, "the server is shutting down"};
      if (taken.end == EventStream::End::overflow)
        reason = {websocket::close_code::policy_error, "too slow: events were dropped"};
      co_await s->ws.async_close(reason, asio::as_tuple(asio::use_awaitable));
      co_return;
    }
    co_await feed.wait(taken.due_in_ms);
  }
}

asio::awaitable<void> serve_sse(beast::tcp_stream stream, HttpRequest req, StreamOpening opening) {
  auto ex = stream.get_executor();
  auto feed = std::make_shared<Feed>(std::move(opening), ex);
  auto shared_stream = std::make_shared<beast::tcp_stream>(std::move(stream));
  shared_stream->expires_never();

  http::response<http::empty_body> res{http::status::ok, req.version()};
  res.set(http::field::server, "jobq");
  res.set(http::field::content_type, "text/event-stream");
  res.set(http::field::cache_control, "no-cache");
  res.set("X-Accel-Buffering", "no");  // tells proxies not to hold the stream back
  res.keep_alive(false);               // the body ends when the connection does
  http::response_serializer<http::empty_body> header(res);
  auto [hec, hn] = co_await http::async_write_header(*shared_stream, header,
                                                     asio::as_tuple(asio::use_awaitable));
  if (hec) co_return;
  Feed::connect(feed);

  asio::co_spawn(
      ex,
      [shared_stream, feed]() -> asio::awaitable<void> {
        char sink[512];
        for (;;) {
          auto [ec, n] = co_await shared_stream->async_read_some(
              asio::buffer(sink), asio::as_tuple(asio::use_awaitable));
          if (ec) break;
        }
        feed->gone();
      },
      asio::detached);

  // Callers pass named strings: GCC 12 mishandles temporaries that live across a co_await.
  auto send = [&shared_stream](const std::string& text) -> asio::awaitable<bool> {
    auto [ec, n] = co_await asio::async_write(*shared_stream, asio::buffer(text),
                                              asio::as_tuple(asio::use_awaitable));
    co_return !ec;
  };
  auto frame = [](const std::string& m) {
    return "event: " + std::string(event_name(m)) + "\ndata: " + m + "\n\n";
  };
  if (feed->opening.first) {
    std::string first = frame(*feed->opening.first);
    if (!co_await send(first)) co_return;
  }
  for (;;) {
    auto taken = feed->opening.stream->take();
    std::string batch;
    for (const Message& m : taken.messages) batch += frame(*m);
    if (!batch.empty() && !co_await send(batch)) co_return;
    if (feed->peer_gone) co_return;
    if (taken.end != EventStream::End::none) {
      if (taken.end == EventStream::End::overflow) {
        std::string goodbye =
            "event: error\ndata: {\"error\":\"too slow: events were dropped\"}\n\n";
        co_await send(goodbye);
      }
      beast::error_code ignored;
      shared_stream->socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
      co_return;
    }
    // A quiet stream still sends a comment now and then, so that proxies keep it open.
    static const std::string kComment = ": keep-alive\n\n";
    if (co_await feed->wait(taken.due_in_ms) && !co_await send(kComment)) co_return;
  }
}

}  // namespace jobq::server
