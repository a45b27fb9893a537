// The insides of HttpServer, shared by the files that make it up:
//   http_server.cpp   the event loops, the acceptor and its caps, listen and shutdown;
//   http_session.cpp  one connection: read a request, answer it, and again;
//   admission.cpp     what a request's header decides before its body is read;
//   dispatch.cpp      handing a request to its handler, off the I/O thread or not, and back.
// Private to src/server/transport.
#pragma once

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/url/url_view.hpp>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "server/transport/asio_timers.h"
#include "server/transport/http_server.h"
#include "server/transport/origin_policy.h"
#include "server/transport/stream_transport.h"

namespace jobq::server {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Request = HttpRequest;

// One event loop per I/O thread, each run by that thread alone: a connection stays on the loop it
// was accepted onto, so its reads, handler and writes never hop between threads, and a reply
// posted from the store's writer wakes just that loop.
struct EventLoop {
  asio::io_context io{1};  // concurrency hint: one thread runs it
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
};

struct HttpServer::Impl {
  HttpOptions options;
  ApiKeys keys;
  OriginPolicy origins;
  std::vector<std::unique_ptr<EventLoop>> loops;
  asio::io_context& io;       // the first loop: the acceptor's and the timers'
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

  Impl(HttpOptions o, ApiKeys k);

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
    std::string tier;         // the key's quota tier; empty: the job's own
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
  asio::awaitable<Outcome> handle(Request& req, Admission& admission, const std::string& request_id,
                                  tcp::socket& socket);
  // Runs `start` on the blocking pool; it calls `done` once, from any thread, and the coroutine
  // resumes on its own loop with that value.
  template <class T>
  asio::awaitable<T> offload(std::function<void(std::function<void(T)>)> start);
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

// The answer to a connection over the caps (503), written without reading its request.
asio::awaitable<void> refuse_connection(tcp::socket socket, std::chrono::milliseconds timeout);

// Beast's string_view as the standard one.
inline std::string_view view(boost::beast::string_view s) {
  return {s.data(), s.size()};
}

}  // namespace jobq::server
