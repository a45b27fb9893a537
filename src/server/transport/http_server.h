// The HTTP/1.1 server: a listener, one coroutine per connection, handlers on a blocking pool.
// Built in three steps because the API needs the server's timers and pool:
//   HttpServer server(options, keys);  Api api{..., server.timers(), ...};
//   server.listen(make_router(api));   ...   server.shutdown(grace);
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "jobq/error.h"
#include "server/request/auth.h"
#include "server/request/router.h"
#include "server/transport/timers.h"

namespace jobq::server {

struct HttpOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port
  int io_threads = 0;         // 0: one per core
  int blocking_threads = 64;  // handlers wait here on store commits
  std::size_t max_body_bytes = 2 << 20;
  std::size_t max_header_bytes = 16 << 10;
  // Request bodies being read or handled, all connections together; a body that would go over
  // is refused with 503 before it is read. A chunked body counts as max_body_bytes.
  std::size_t max_buffered_bytes = 64 << 20;
  int max_connections = 4096;             // beyond: 503 and close
  int max_connections_per_client = 512;   // from one client address; beyond: 503 and close
  // A kept-alive connection waiting for its next request.
  std::chrono::milliseconds idle_timeout{60'000};
  // From a request's first byte to the end of its body; and writing one response.
  std::chrono::milliseconds request_timeout{30'000};
  std::vector<std::string> cors_origins;   // OriginPolicy (origin_policy.h)
  std::vector<std::string> allowed_hosts;  // OriginPolicy
};

// One line per request for the log.
struct RequestRecord {
  std::string_view request_id, method, target, route;
  int status;
  double ms;
  std::string_view error;  // the body of a 5xx answer, for the log
};

class HttpServer {
 public:
  HttpServer(HttpOptions options, ApiKeys keys);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  Timers& timers();
  void run_blocking(std::function<void()> work);
  void on_request(std::function<void(const RequestRecord&)> log);

  // Binds, starts the I/O threads and accepts; returns the bound port.
  Result<std::uint16_t> listen(Router router);

  // Stops accepting, answers long polls, lets in-flight requests finish within `grace`, then
  // closes every connection and joins the threads.
  void shutdown(std::chrono::milliseconds grace);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace jobq::server
