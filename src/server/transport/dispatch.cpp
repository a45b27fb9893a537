// A request's hand-over to its handler: the Call is built from the request, the handler runs on
// the blocking pool (or in place, if its route never blocks), and the coroutine resumes on its
// connection's loop with the answer. A long poll's connection is watched for a hang-up meanwhile.
#include <sys/socket.h>
#include <boost/asio.hpp>
#include <cerrno>
#include <mutex>
#include <optional>

#include "server/transport/http_server_impl.h"

namespace jobq::server {

namespace http = boost::beast::http;

namespace {

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

// Hands `value` to an awaiting coroutine's completion on the coroutine's executor `ex`: it resumes
// on its own loop, after whoever gave the value has returned, never inside it.
template <class Executor, class Completion, class T>
void resume_with(const Executor& ex, const std::shared_ptr<Completion>& completion, T value) {
  asio::post(ex, [completion, value = std::move(value)]() mutable {
    std::move (*completion)(std::move(value));
  });
}

// The answer of a handler run in place, on the connection's loop. Most answer before they return
// and are taken at once, without a trip through the loop; one that answers later (a long poll, a
// commit on the store's writer) is awaited, and its answer posted back to the loop.
class InPlaceAnswer : public std::enable_shared_from_this<InPlaceAnswer> {
 public:
  void give(ReplyMaker make) {
    std::function<void(ReplyMaker)> resume;
    {
      std::lock_guard lock(mutex_);
      if (std::exchange(answered_, true)) return;  // one answer: a throw after it is not another
      if (!resume_) {
        given_ = std::move(make);
        return;
      }
      resume = std::move(resume_);
    }
    resume(std::move(make));
  }

  std::optional<ReplyMaker> take() {
    std::lock_guard lock(mutex_);
    return std::exchange(given_, std::nullopt);
  }

  asio::awaitable<ReplyMaker> wait() {
    auto initiate = [self = shared_from_this()](auto completion) {
      using Completion = decltype(completion);
      auto shared = std::make_shared<Completion>(std::move(completion));
      auto ex = asio::get_associated_executor(*shared);
      auto resume = [shared, ex](ReplyMaker make) { resume_with(ex, shared, std::move(make)); };
      std::unique_lock lock(self->mutex_);
      if (!self->given_) {
        self->resume_ = std::move(resume);
        return;
      }
      ReplyMaker make = std::move(*std::exchange(self->given_, std::nullopt));
      lock.unlock();
      resume(std::move(make));
    };
    return asio::async_initiate<decltype(asio::use_awaitable), void(ReplyMaker)>(
        std::move(initiate), asio::use_awaitable);
  }

 private:
  std::mutex mutex_;
  bool answered_ = false;
  std::optional<ReplyMaker> given_;
  std::function<void(ReplyMaker)> resume_;  // set once awaited
};

}  // namespace

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
  call->tier = std::move(admission.tier);
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
  ReplyMaker make;
  if (route.never_blocks) {
    auto answer = std::make_shared<InPlaceAnswer>();
    try {
      route.handler(*call, Responder([answer](ReplyMaker m) { answer->give(std::move(m)); }));
    } catch (const std::exception& e) {
      answer->give([what = std::string(e.what())] { return error_reply(500, "internal", what); });
    }
    std::optional<ReplyMaker> now = answer->take();
    if (now) {
      make = std::move(*now);
    } else {
      auto later = answer->wait();  // named, not a temporary (GCC 12; see below)
      make = co_await std::move(later);
    }
  } else {
    // Named, not temporaries: GCC 12 destroys some temporaries of a co_await expression twice.
    std::function<void(std::function<void(ReplyMaker)>)> run =
        [&route, call](std::function<void(ReplyMaker)> done) {
          route.handler(*call, Responder(done));
        };
    make = co_await offload<ReplyMaker>(std::move(run));
  }
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
asio::awaitable<T> HttpServer::Impl::offload(std::function<void(std::function<void(T)>)> start) {
  auto initiate = [&pool = pool, start = std::move(start)](auto completion) mutable {
    using Completion = decltype(completion);
    auto shared = std::make_shared<Completion>(std::move(completion));
    auto ex = asio::get_associated_executor(*shared);
    auto task = [start = std::move(start), shared, ex] {
      auto done = std::make_shared<std::atomic<bool>>(false);
      auto finish = [shared, ex, done](T value) {
        if (!done->exchange(true)) resume_with(ex, shared, std::move(value));
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
    asio::post(pool, std::move(task));
  };
  return asio::async_initiate<decltype(asio::use_awaitable), void(T)>(std::move(initiate),
                                                                      asio::use_awaitable);
}

}  // namespace jobq::server
