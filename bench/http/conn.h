// The benchmark's HTTP client: one keep-alive connection (Conn), a coroutine run on its own
// (run_one), and the client threads that a row's connections are spread over (Clients).
#pragma once

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <functional>
#include <memory>
#include <optional>
#include <thread>

#include "http/common.h"

namespace bench {

namespace beast = boost::beast;
namespace http = beast::http;

// ---- one keep-alive HTTP connection -------------------------------------------------------------

struct Answer {
  int status = 0;     // 0: no answer (error says why)
  std::string error;  // transport error
  std::string body;
  bool ok(int want) const { return error.empty() && status == want; }
};

inline std::string describe(std::string_view call, const Answer& a) {
  if (!a.error.empty()) return std::string(call) + ": " + a.error;
  return std::string(call) + ": HTTP " + std::to_string(a.status) + " " + clip(a.body);
}

// Requests are sent one at a time; send() and receive() are apart so that a caller can start
// the clock between them, or do something else while the answer is on its way.
class Conn {
 public:
  Conn(asio::any_io_executor ex, std::uint16_t port)
      : stream_(ex), port_(port), host_("127.0.0.1:" + std::to_string(port)) {}

  task<Answer> call(http::verb verb, std::string_view target, std::string body,
                    Steady::duration timeout = kCallTimeout) {
    std::string e = co_await send(verb, target, std::move(body), timeout);
    if (!e.empty()) co_return Answer{0, e, {}};
    co_return co_await receive(timeout);
  }

  // "" once the whole request is written.
  task<std::string> send(http::verb verb, std::string_view target, std::string body,
                         Steady::duration timeout = kCallTimeout) {
    if (!connected_) {
      stream_.expires_after(kCallTimeout);
      auto [ec] = co_await stream_.async_connect(
          tcp::endpoint(asio::ip::address_v4::loopback(), port_), nothrow);
      if (ec) co_return "connect: " + ec.message();
      stream_.socket().set_option(tcp::no_delay(true));
      buffer_.clear();
      connected_ = true;
    }
    request_ = {};
    request_.method(verb);
    request_.target(beast::string_view(target.data(), target.size()));
    request_.version(11);
    request_.set(http::field::host, host_);
    request_.keep_alive(true);
    if (!body.empty() || verb == http::verb::post) {
      request_.set(http::field::content_type, "application/json");
      request_.body() = std::move(body);
    }
    request_.prepare_payload();
    stream_.expires_after(timeout);
    auto [ec, n] = co_await http::async_write(stream_, request_, nothrow);
    if (ec) {
      reset();
      co_return "write: " + ec.message();
    }
    co_return "";
  }

  task<Answer> receive(Steady::duration timeout = kCallTimeout) {
    http::response<http::string_body> res;
    stream_.expires_after(timeout);
    auto [ec, n] = co_await http::async_read(stream_, buffer_, res, nothrow);
    if (ec) {
      reset();
      co_return Answer{0, "read: " + ec.message(), {}};
    }
    if (!res.keep_alive()) reset();
    co_return Answer{int(res.result_int()), {}, std::move(res.body())};
  }

 private:
  void reset() {
    beast::error_code ignored;
    stream_.socket().close(ignored);
    connected_ = false;
  }
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  std::uint16_t port_;
  std::string host_;
  bool connected_ = false;
};

// Runs one coroutine on an io_context of its own, for at most `limit`.
template <class T>
inline std::optional<T> run_one(std::function<task<T>(asio::any_io_executor)> make,
                                Steady::duration limit) {
  asio::io_context io(1);
  std::optional<T> out;
  asio::co_spawn(
      io, [&]() -> task<> { out = co_await make(io.get_executor()); }, asio::detached);
  io.run_for(limit);
  return out;
}

// ---- the client threads -------------------------------------------------------------------------

// A few threads, each running an io_context of its own; connections are spread over them.
class Clients {
 public:
  explicit Clients(int threads) {
    for (int i = 0; i < threads; ++i) ios_.push_back(std::make_unique<asio::io_context>(1));
  }
  int threads() const { return int(ios_.size()); }
  asio::any_io_executor executor(int i) {
    return ios_[std::size_t(i) % ios_.size()]->get_executor();
  }
  template <class F>
  void spawn(int i, F&& coroutine) {
    asio::co_spawn(executor(i), std::forward<F>(coroutine), [](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& x) {
        die(std::string("client coroutine threw: ") + x.what());
      }
    });
  }
  // Runs every io_context on its own thread until all their coroutines end, or stops them at
  // `hard_limit`; returns false when it had to stop them.
  // Spawns `conns` coroutines, make(share) each, with `n` shared between them as evenly as can be.
  template <class Make>
  void spawn_shares(int conns, i64 n, Make make) {
    for (int c = 0; c < conns; ++c) spawn(c, make(n / conns + (c < n % conns)));
  }
  struct Ran {
    bool finished;   // every coroutine ended
    double seconds;  // from the start of the run
  };
  // run() for the row's `limit` and the grace after it, timed.
  Ran run_timed(Steady::duration limit) {
    auto start = Steady::now();
    bool finished = run(limit + kHardGrace);
    return {finished, seconds_since(start)};
  }
  bool run(Steady::duration hard_limit) {
    std::mutex m;
    std::condition_variable cv;
    std::size_t running = ios_.size();
    std::vector<std::thread> threads;
    for (auto& io : ios_)
      threads.emplace_back([&, ioc = io.get()] {
        ioc->run();
        std::lock_guard lock(m);
        if (--running == 0) cv.notify_all();
      });
    bool finished;
    {
      std::unique_lock lock(m);
      finished = cv.wait_for(lock, hard_limit, [&] { return running == 0; });
    }
    if (!finished)
      for (auto& io : ios_) io->stop();
    for (auto& t : threads) t.join();
    return finished;
  }

 private:
  std::vector<std::unique_ptr<asio::io_context>> ios_;
};
}  // namespace bench
