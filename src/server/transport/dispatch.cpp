// A request's hand-over to its handler: the Call is built from the request, the handler runs on
// the blocking pool (or in place, if its route never blocks), and the coroutine resumes on its
// connection's loop with the answer. A long poll's connection is watched for a hang-up meanwhile.
#include <sys/socket.h>
#include <boost/asio.hpp>
#include <cerrno>

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

}  // namespace jobq::server
