// The only translation unit with Beast's HTTP templates (with asio_timers.cpp, Asio's), so that
// they are compiled once.
#include "server/transport/http_server.h"

#include <sys/socket.h>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/url/parse.hpp>
#include <cerrno>
#include <condition_variable>
#include <map>
#include <thread>
#include <vector>

#include "server/transport/asio_timers.h"
#include "server/transport/origin_policy.h"
#include "server/transport/request_checks.h"
#include "server/transport/stream_transport.h"

namespace jobq::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Request = http::request<http::string_body>;

namespace {

// One event loop per I/O thread, each run by that thread alone: a connection stays on the loop it
// was accepted onto, so its reads, handler and writes never hop between threads, and a reply
// posted from the store's writer wakes just that loop.
struct EventLoop {
  asio::io_context io{1};  // concurrency hint: one thread runs it
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
};

int io_thread_count(const HttpOptions& o) {
  return o.io_threads > 0 ? o.io_threads : int(std::max(1u, std::thread::hardware_concurrency()));
}

std::vector<std::unique_ptr<EventLoop>> make_loops(int n) {
  std::vector<std::unique_ptr<EventLoop>> loops;
  for (int i = 0; i < n; ++i) loops.push_back(std::make_unique<EventLoop>());
  return loops;
}

}  // namespace

struct HttpServer::Impl {
  HttpOptions options;
  ApiKeys keys;
  OriginPolicy origins;
  std::vector<std::unique_ptr<EventLoop>> loops;
  asio::io_context& io;  // the first loop: the acceptor's and the timers'
  std::size_t next_loop = 0;  // the loop the next connection goes to; the acceptor's alone
  asio::thread_pool pool;
  AsioTimers timers{io};
  Router router;
  tcp::acceptor acceptor{io};
  std::vector<std::thread> threads;
  std::function<void(const RequestRecord&)> log;
  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> next_request{1};
  std::mutex in_flight_mutex;
  std::condition_variable in_flight_done;
  int in_flight = 0;
  // Open connections, in all and per client address; and the bytes of bodies being handled.
  std::mutex connections_mutex;
  int connections = 0;
  std::map<asio::ip::address, int> connections_from;
  std::atomic<std::size_t> buffered_bytes{0};

  Impl(HttpOptions o, ApiKeys k)
      : options(std::move(o)),
        keys(std::move(k)),
        origins{options.cors_origins, options.allowed_hosts, options.host, !keys.empty()},
        loops(make_loops(io_thread_count(options))),
        io(loops.front()->io),
        pool(std::size_t(options.blocking_threads)) {}

  asio::awaitable<void> accept_loop();
  asio::awaitable<void> connection(tcp::socket socket, asio::ip::address client);
  asio::awaitable<void> session(tcp::socket socket);
  // Whether one more connection from `client` fits under the caps; if so it is counted.
  bool admit_connection(const asio::ip::address& client);
  void release_connection(const asio::ip::address& client);
  bool reserve_body(std::size_t bytes);
  void release_body(std::size_t bytes) { buffered_bytes -= bytes; }

  // What the header of a request decides before its body is read: the route, or a refusal.
  struct Admission {
    std::optional<Reply> refusal;
    const Route* route = nullptr;
    boost::urls::url_view target;  // into the request's header, which outlives the admission
    std::string path;
    NameValues params;
    std::string role;         // authorize's; empty on an open route, whose key is not read
    std::string cors_origin;  // a listed origin, whose answers carry CORS headers
    bool close = false;       // the framing is unknown: nothing after it can be read
  };
  Admission admit(const Request& req, std::string& route_name) const;
  // What a request gets: a reply, or a stream that takes the connection over.
  struct Outcome {
    Reply reply;
    std::optional<StreamOpening> stream;
    Transport transport = Transport::http;
  };
  asio::awaitable<Outcome> handle(Request& req, Admission& admission,
                                  const std::string& request_id, tcp::socket& socket);
  // Runs `start` on the blocking pool, or here with `in_place`; it calls `done` once, from any
  // thread, and the coroutine resumes on its own loop with that value.
  template <class T>
  asio::awaitable<T> offload(std::function<void(std::function<void(T)>)> start,
                             bool in_place = false);
  std::string request_id_of(const Request& req);
  void begin_request() {
    std::lock_guard lock(in_flight_mutex);
    ++in_flight;
  }
  void end_request() {
    std::lock_guard lock(in_flight_mutex);
    if (--in_flight == 0) in_flight_done.notify_all();
  }
};

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

// While a long poll waits, a client that closes its end makes the socket readable with nothing to
// read: that is the hangup. Bytes (a pipelined request) are left for the session to read.
void watch_for_hangup(tcp::socket& socket, std::shared_ptr<ClientGone> gone) {
  socket.async_wait(tcp::socket::wait_read, [&socket, gone](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: the poll was answered first
    char byte;
    ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) gone->fire();
  });
}

bool safe_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
      return false;
  return true;
}

std::string_view view(beast::string_view s) {
  return {s.data(), s.size()};
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

// The answer to a connection over the caps, written without reading its request.
asio::awaitable<void> refuse_connection(tcp::socket socket, std::chrono::milliseconds timeout) {
  beast::tcp_stream stream(std::move(socket));
  auto res = to_response(busy_reply("too many connections; try again shortly"), 11, "r0", false);
  stream.expires_after(timeout);
  auto [ec, n] = co_await http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
  if (!ec) co_await close_after_answer(stream);
}

}  // namespace

std::string HttpServer::Impl::request_id_of(const Request& req) {
  auto given = req[beast::string_view("X-Request-Id")];
  if (safe_request_id(view(given))) return std::string(given);
  char buf[24];
  std::snprintf(buf, sizeof buf, "r%llx", static_cast<unsigned long long>(next_request++));
  return buf;
}

bool HttpServer::Impl::admit_connection(const asio::ip::address& client) {
  std::lock_guard lock(connections_mutex);
  int& from = connections_from[client];
  if (connections >= options.max_connections || from >= options.max_connections_per_client) {
    if (from == 0) connections_from.erase(client);
    return false;
  }
  ++connections;
  ++from;
  return true;
}

void HttpServer::Impl::release_connection(const asio::ip::address& client) {
  std::lock_guard lock(connections_mutex);
  --connections;
  if (--connections_from[client] <= 0) connections_from.erase(client);
}

bool HttpServer::Impl::reserve_body(std::size_t bytes) {
  std::size_t now = buffered_bytes.load();
  do {
    if (now + bytes > options.max_buffered_bytes) return false;
  } while (!buffered_bytes.compare_exchange_weak(now, now + bytes));
  return true;
}

asio::awaitable<void> HttpServer::Impl::accept_loop() {
  for (;;) {
    asio::io_context& loop = loops[next_loop++ % loops.size()]->io;
    auto [ec, socket] = co_await acceptor.async_accept(loop, asio::as_tuple(asio::use_awaitable));
    if (stopping || ec == asio::error::operation_aborted) co_return;
    if (ec) {
      // Out of descriptors, most likely: wait a moment rather than spin.
      asio::steady_timer pause(io, std::chrono::milliseconds(50));
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    boost::system::error_code peer_ec;
    auto client = socket.remote_endpoint(peer_ec).address();
    if (peer_ec) continue;  // gone already
    socket.set_option(tcp::no_delay(true));
    auto ex = socket.get_executor();
    if (!admit_connection(client))
      asio::co_spawn(ex, refuse_connection(std::move(socket), options.request_timeout),
                     asio::detached);
    else
      asio::co_spawn(ex, connection(std::move(socket), client), asio::detached);
  }
}

asio::awaitable<void> HttpServer::Impl::connection(tcp::socket socket, asio::ip::address client) {
  co_await session(std::move(socket));
  release_connection(client);
}

asio::awaitable<void> HttpServer::Impl::session(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
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
    stream.expires_after(options.request_timeout);  // the header and the body together
    http::request_parser<http::string_body> parser;
    parser.header_limit(std::uint32_t(options.max_header_bytes));
    parser.body_limit(options.max_body_bytes);
    auto [hec, hn] = co_await http::async_read_header(stream, buffer, parser,
                                                      asio::as_tuple(asio::use_awaitable));
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
        if (beast::iequals(req[http::field::expect], "100-continue")) {
          static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
          co_await asio::async_write(stream, asio::buffer(kContinue),
                                     asio::as_tuple(asio::use_awaitable));
        }
        auto [bec, bn] =
            co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
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
        log({request_id, method, target, route,
             outcome.transport == Transport::websocket ? 101 : 200, 0, {}});
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
    auto res = to_response(std::move(reply), req.version() ? req.version() : 11, request_id,
                           keep_alive);
    stream.expires_after(options.request_timeout);
    auto [wec, wn] = co_await http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
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
      a.refusal = error_reply(404, "route_not_found", "no route " + std::string(method) + " " + path);
    }
    return a;
  }
  const Route& route = *match.route;
  route_name = route.pattern;
  bool upgrade = beast::websocket::is_upgrade(req);
  Credentials offered{view(req[http::field::authorization]),
                      upgrade ? view(req[http::field::sec_websocket_protocol]) : ""};
  auto caller = authorize(keys, offered, route.access);
  if (!caller) {
    const Denial& d = caller.error();
    a.refusal = error_reply(d.status, d.code, d.message, d.field);
    return a;
  }
  if (*caller) a.role = to_string(**caller);
  if (route.transport == Transport::websocket) {
    a.refusal = check_websocket_handshake(upgrade, view(req[http::field::sec_websocket_version]),
                                          view(req[http::field::sec_websocket_key]));
    if (a.refusal) return a;
  }
  bool has_body = req.chunked() || (req.has_content_length() &&
                                    req[http::field::content_length] != "0");
  if (has_body) {
    a.refusal = check_json_content_type(view(req[http::field::content_type]));
    if (a.refusal) return a;
  }
  a.route = &route;
  a.params = std::move(match.params);
  return a;
}

asio::awaitable<HttpServer::Impl::Outcome> HttpServer::Impl::handle(Request& req,
                                                                    Admission& admission,
                                                                    const std::string& request_id,
                                                                    tcp::socket& socket) {
  const Route& route = *admission.route;
  auto call = std::make_shared<Call>();
  call->method = view(req.method_string());
  call->path = std::move(admission.path);
  call->params = std::move(admission.params);
  for (auto param : admission.target.params())
    call->query.emplace_back(std::string(param.key), std::string(param.value));
  call->body = std::move(req.body());
  call->request_id = request_id;
  call->role = std::move(admission.role);
  call->keys_configured = !keys.empty();
  call->if_none_match = std::string(req[http::field::if_none_match]);
  if (route.transport != Transport::http) {
    std::function<void(std::function<void(Result<StreamOpening>)>)> open =
        [&route, call](std::function<void(Result<StreamOpening>)> done) {
          done(route.open(*call));
        };
    auto opened = co_await offload<Result<StreamOpening>>(std::move(open));
    if (!opened) co_return Outcome{error_reply(opened.error())};
    co_return Outcome{{}, std::move(*opened), route.transport};
  }
  if (route.long_poll) watch_for_hangup(socket, call->client_gone);
  // Named, not temporaries: GCC 12 destroys some temporaries of a co_await expression twice.
  std::function<void(std::function<void(ReplyMaker)>)> run =
      [&route, call](std::function<void(ReplyMaker)> done) {
        route.handler(*call, Responder(done));
      };
  ReplyMaker make = co_await offload<ReplyMaker>(std::move(run), route.never_blocks);
  Reply reply;
  try {
    reply = make();
  } catch (const std::exception& e) {
    reply = error_reply(500, "internal", e.what());
  }
  if (route.long_poll) {
    boost::system::error_code ignored;
    socket.cancel(ignored);  // ends the watch; its handler sees operation_aborted
  }
  co_return Outcome{std::move(reply)};
}

// Not a coroutine itself: `start` travels inside the initiation object, which GCC 12 handles
// better than a coroutine's by-value parameter.
template <class T>
asio::awaitable<T> HttpServer::Impl::offload(std::function<void(std::function<void(T)>)> start,
                                             bool in_place) {
  auto initiate = [&pool = pool, start = std::move(start), in_place](auto completion) mutable {
    using Completion = decltype(completion);
    auto shared = std::make_shared<Completion>(std::move(completion));
    auto ex = asio::get_associated_executor(*shared);
    auto task = [start = std::move(start), shared, ex] {
      auto done = std::make_shared<std::atomic<bool>>(false);
      auto finish = [shared, ex, done](T value) {
        if (done->exchange(true)) return;
        asio::post(ex, [shared, value = std::move(value)]() mutable {
          std::move (*shared)(std::move(value));
        });
      };
      try {
        start(finish);
      } catch (const std::exception& e) {
        if constexpr (std::is_same_v<T, ReplyMaker>)
          finish([what = std::string(e.what())] { return error_reply(500, "internal", what); });
        else
          finish(T(Error(ErrorCode::internal, e.what())));
      }
    };
    // In place, the answer is still posted to the strand: the coroutine resumes after this
    // initiation has returned, never inside it.
    if (in_place)
      task();
    else
      asio::post(pool, std::move(task));
  };
  return asio::async_initiate<decltype(asio::use_awaitable), void(T)>(std::move(initiate),
                                                                      asio::use_awaitable);
}

HttpServer::HttpServer(HttpOptions options, ApiKeys keys)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(keys))) {}

HttpServer::~HttpServer() {
  shutdown(std::chrono::milliseconds(0));
}

Timers& HttpServer::timers() {
  return impl_->timers;
}

void HttpServer::run_blocking(std::function<void()> work) {
  asio::post(impl_->pool, std::move(work));
}

void HttpServer::on_request(std::function<void(const RequestRecord&)> log) {
  impl_->log = std::move(log);
}

Result<std::uint16_t> HttpServer::listen(Router router) {
  Impl& s = *impl_;
  s.router = std::move(router);
  boost::system::error_code ec;
  auto address = asio::ip::make_address(s.options.host, ec);
  if (ec) return Error::invalid("listen", "\"" + s.options.host + "\" is not an IP address");
  tcp::endpoint endpoint(address, s.options.port);
  std::string where = s.options.host + ":" + std::to_string(s.options.port);
  s.acceptor.open(endpoint.protocol(), ec);
  if (!ec) s.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor.bind(endpoint, ec);
  if (!ec) s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Error::unavailable("cannot listen on " + where + ": " + ec.message());
  std::uint16_t port = s.acceptor.local_endpoint().port();
  asio::co_spawn(s.io, s.accept_loop(), asio::detached);
  for (auto& loop : s.loops) s.threads.emplace_back([&io = loop->io] { io.run(); });
  return port;
}

void HttpServer::shutdown(std::chrono::milliseconds grace) {
  Impl& s = *impl_;
  if (s.stopping.exchange(true)) return;
  asio::post(s.io, [&s] {
    boost::system::error_code ignored;
    s.acceptor.close(ignored);
  });
  s.timers.fire_all();
  {
    std::unique_lock lock(s.in_flight_mutex);
    s.in_flight_done.wait_for(lock, grace, [&s] { return s.in_flight == 0; });
  }
  for (auto& loop : s.loops) {
    loop->work.reset();
    loop->io.stop();
  }
  for (auto& t : s.threads) t.join();
  s.threads.clear();
  s.pool.join();
}

}  // namespace jobq::server
