// The client's wire: HTTP/1.1 requests over a pool of keep-alive connections, and WebSocket
// streams. The only part of the client that sees Boost.Beast.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "jobq/client.h"

namespace jobq {

struct HttpAnswer {
  int status = 0;
  std::string body;
};

// Where the server is: from a URL of the form http://host[:port][/prefix].
struct Endpoint {
  std::string host;
  std::string port = "80";
  std::string prefix;  // without a trailing slash
};
ApiResult<Endpoint> parse_url(std::string_view url);

class Client::Transport {
 public:
  explicit Transport(const ClientOptions& options);
  ~Transport();

  // One request and its answer, on a pooled connection. `body` is sent as JSON when not null.
  // A stop request abandons the call (its connection is closed) with code `cancelled`.
  ApiResult<HttpAnswer> request(std::string_view method, std::string_view target,
                                const std::string* body, std::chrono::milliseconds timeout,
                                std::stop_token stop = {});

  // Reads text messages from a WebSocket route until on_message returns false, `stop` is
  // requested or the server closes (ok for a normal close, code 1000).
  ApiStatus stream(std::string_view target, const std::function<bool(std::string_view)>& on_message,
                   std::stop_token stop);

  std::uint64_t opened() const { return opened_.load(); }

 private:
  struct Connection;
  std::unique_ptr<Connection> take();
  void give_back(std::unique_ptr<Connection> c);
  ApiStatus connect(Connection& c);

  const ClientOptions& options_;
  ApiResult<Endpoint> endpoint_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::atomic<std::uint64_t> opened_{0};
};

}  // namespace jobq
