// The server's life: event loops and their threads, the acceptor with its caps on connections
// and on buffered bodies, listen and shutdown.
#include <boost/asio.hpp>

#include "server/transport/http_server_impl.h"

namespace jobq::server {

namespace {

int io_thread_count(const HttpOptions& o) {
  return o.io_threads > 0 ? o.io_threads : int(std::max(1u, std::thread::hardware_concurrency()));
}

std::vector<std::unique_ptr<EventLoop>> make_loops(int n) {
  std::vector<std::unique_ptr<EventLoop>> loops;
  for (int i = 0; i < n; ++i) loops.push_back(std::make_unique<EventLoop>());
  return loops;
}

}  // namespace

HttpServer::Impl::Impl(HttpOptions o, ApiKeys k)
    : options(std::move(o)),
      keys(std::move(k)),
      origins{options.cors_origins, options.allowed_hosts, options.host, !keys.empty()},
      loops(make_loops(io_thread_count(options))),
      io(loops.front()->io),
      pool(std::size_t(options.blocking_threads)) {}

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
