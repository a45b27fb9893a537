// One connection: a request is read (its header, then, if it is admitted, its body), handed on,
// and answered, until the client or the server ends the connection or a stream takes it over.
// The only translation unit with Beast's HTTP reads and writes (with asio_timers.cpp, Asio's
// timers), so that those templates are compiled once.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <cstdio>

#include "server/transport/http_server_impl.h"

namespace jobq::server {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {

http::response<http::string_body> to_response(Reply reply, unsigned version,
                                              const std::string& request_id, bool keep_alive) {
  http::response<http::string_body> res{http::status(reply.status), version};
  res.set(http::field::server, "jobq");
  res.set("X-Request-Id", request_id);
  if (!reply.content_type.empty()) res.set(http::field::content_type, reply.content_type);
  for (const auto& [name, value] : reply.headers) res.set(name, value);
  res.body() = std::move(reply.body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

// A read that failed because of what the client sent gets an answer; a closed socket does not.
std::optional<Reply> answer_to_read_error(const beast::error_code& ec, const HttpOptions& o) {
  if (ec == http::error::body_limit)
    return error_reply(413, "payload_too_large",
                       "request body over " + std::to_string(o.max_body_bytes) + " bytes");
  if (ec == http::error::header_limit)
    return error_reply(431, "headers_too_large",
                       "request headers over " + std::to_string(o.max_header_bytes) + " bytes");
  if (ec == http::error::bad_transfer_encoding)
    return error_reply(400, "bad_request", "malformed HTTP request: " + ec.message(),
                       "Transfer-Encoding");
  if (ec == http::error::bad_content_length)
    return error_reply(400, "bad_request", "malformed HTTP request: " + ec.message(),
                       "Content-Length");
  if (ec.category() == make_error_code(http::error::end_of_stream).category() &&
      ec != http::error::end_of_stream && ec != http::error::partial_message)
    return error_reply(400, "bad_request", "malformed HTTP request: " + ec.message());
  return std::nullopt;
}

bool safe_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
      return false;
  return true;
}

Reply busy_reply(std::string_view message) {
  Reply r = error_reply(503, "server_busy", message);
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

// Ends a connection whose client may still be sending what was not read: closing a socket with
// unread bytes resets it, and the reset can destroy the answer before the client reads it. So
// the sending half is shut, and what still comes is read and dropped for a moment first.
asio::awaitable<void> close_after_answer(beast::tcp_stream& stream) {
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream.expires_after(std::chrono::milliseconds(500));
  char sink[4096];
  for (int i = 0; i < 16; ++i) {
    auto [ec, n] =
        co_await stream.async_read_some(asio::buffer(sink), asio::as_tuple(asio::use_awaitable));
    if (ec) break;
  }
}

// Parses what the buffer already holds: the header, or with `through_body` the rest of the
// message too. Answers whether that part is done (or failed, in `ec`); if not, what the buffer
// held is in the parser and an asynchronous read goes on from there. Most requests arrive whole
// in the first read, and parsing them here spares the read operations, which would only post
// their completion to the loop and arm the stream's deadline.
bool parse_buffered(beast::flat_buffer& buffer, http::request_parser<http::string_body>& parser,
                    bool through_body, beast::error_code& ec) {
  parser.eager(through_body);
  auto done = [&] { return through_body ? parser.is_done() : parser.is_header_done(); };
  while (!done() && buffer.size() > 0) {
    std::size_t used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    if (ec == http::error::need_more) {
      ec = {};
      return false;
    }
    if (ec) return true;
    if (used == 0) return false;
  }
  return done();
}

}  // namespace

asio::awaitable<void> refuse_connection(tcp::socket socket, std::chrono::milliseconds timeout) {
  beast::tcp_stream stream(std::move(socket));
  auto res = to_response(busy_reply("too many connections; try again shortly"), 11, "r0", false);
  stream.expires_after(timeout);
  auto [ec, n] = co_await http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
  if (!ec) co_await close_after_answer(stream);
}

std::string HttpServer::Impl::request_id_of(const Request& req) {
  auto given = req[beast::string_view("X-Request-Id")];
  if (safe_request_id(view(given))) return std::string(given);
  char buf[24];
  std::snprintf(buf, sizeof buf, "r%llx", static_cast<unsigned long long>(next_request++));
  return buf;
}

asio::awaitable<void> HttpServer::Impl::session(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  beast::error_code refused;
  stream.socket().non_blocking(true, refused);
  const bool write_at_once = !refused;  // answers are written at once while the socket takes them
  for (;;) {
    // Idle until the next request's first byte; from then on it counts as in flight, so that
    // shutdown lets it arrive and be answered.
    if (buffer.size() == 0) {
      stream.expires_after(options.idle_timeout);
      auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096),
                                                     asio::as_tuple(asio::use_awaitable));
      if (ec) break;
      buffer.commit(n);
    }
    begin_request();
    auto started = std::chrono::steady_clock::now();
    // The deadline of the header and the body together, armed by the first read that waits.
    bool deadline_set = false;
    auto set_deadline = [&] {
      if (!deadline_set) stream.expires_after(options.request_timeout);
      deadline_set = true;
    };
    http::request_parser<http::string_body> parser;
    parser.header_limit(std::uint32_t(options.max_header_bytes));
    parser.body_limit(options.max_body_bytes);
    beast::error_code hec;
    if (!parse_buffered(buffer, parser, false, hec)) {
      set_deadline();
      auto [ec, n] = co_await http::async_read_header(stream, buffer, parser,
                                                      asio::as_tuple(asio::use_awaitable));
      hec = ec;
    }
    std::optional<Reply> failed_read = hec ? answer_to_read_error(hec, options) : std::nullopt;
    if (hec && !failed_read) {
      end_request();
      break;
    }
    Request& req = parser.get();
    std::string request_id = request_id_of(req);
    std::string route;
    Admission admission;
    std::size_t reserved = 0;
    bool close_after = false;  // the rest of the request is unread, or unreadable
    if (!failed_read) {
      admission = admit(req, route);
      if (!admission.refusal) {
        auto length = parser.content_length();
        reserved = length ? std::size_t(*length) : parser.chunked() ? options.max_body_bytes : 0;
        if (!reserve_body(reserved)) {
          reserved = 0;
          admission.refusal = busy_reply("too many request bodies in flight; try again shortly");
        }
      }
      if (admission.refusal) {
        close_after = admission.close || !parser.is_done();
      } else if (!parser.is_done()) {
        beast::error_code bec;
        if (!parse_buffered(buffer, parser, true, bec)) {
          if (beast::iequals(req[http::field::expect], "100-continue")) {
            static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
            co_await asio::async_write(stream, asio::buffer(kContinue),
                                       asio::as_tuple(asio::use_awaitable));
          }
          set_deadline();
          auto [ec, n] = co_await http::async_read(stream, buffer, parser,
                                                   asio::as_tuple(asio::use_awaitable));
          bec = ec;
        }
        if (bec) failed_read = answer_to_read_error(bec, options);
        if (bec && !failed_read) {
          release_body(reserved);
          end_request();
          break;
        }
      }
    }
    Outcome outcome;
    if (failed_read) {
      outcome.reply = std::move(*failed_read);
      close_after = true;
    } else if (admission.refusal) {
      outcome.reply = std::move(*admission.refusal);
    } else {
      outcome = co_await handle(req, admission, request_id, stream.socket());
    }
    release_body(reserved);
    auto method = view(req.method_string());
    auto target = view(req.target());
    if (outcome.stream) {
      if (log)
        log({request_id,
             method,
             target,
             route,
             outcome.transport == Transport::websocket ? 101 : 200,
             0,
             {}});
      if (outcome.transport == Transport::websocket)
        co_await serve_websocket(std::move(stream), std::move(req), request_id,
                                 std::move(*outcome.stream));
      else
        co_await serve_sse(std::move(stream), std::move(req), std::move(*outcome.stream));
      end_request();
      co_return;
    }
    Reply& reply = outcome.reply;
    if (!admission.cors_origin.empty()) add_cors_headers(reply, admission.cors_origin);
    int status = reply.status;
    bool keep_alive = !close_after && req.keep_alive() && !stopping;
    auto res =
        to_response(std::move(reply), req.version() ? req.version() : 11, request_id, keep_alive);
    // Written at once while the socket takes it (it is non-blocking): an answer that fits the
    // socket's buffer, nearly every one, needs no asynchronous write and no deadline.
    http::response_serializer<http::string_body> serializer(res);
    beast::error_code wec = asio::error::would_block;
    if (write_at_once) http::write(stream.socket(), serializer, wec);
    if (wec == asio::error::would_block) {
      stream.expires_after(options.request_timeout);
      auto [ec, n] =
          co_await http::async_write(stream, serializer, asio::as_tuple(asio::use_awaitable));
      wec = ec;
    }
    if (log) {
      double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
              .count();
      std::string_view error = status >= 500 ? std::string_view(res.body()) : std::string_view();
      log({request_id, method, target, route, status, ms, error});
    }
    end_request();
    if (wec) break;
    if (close_after) {
      co_await close_after_answer(stream);
      co_return;
    }
    if (!keep_alive) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

}  // namespace jobq::server
