// Beast's asynchronous server on one io_context and one thread; Beast stays in this file.
#include "receiver.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <mutex>
#include <thread>

namespace jobq::webhooks::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct Receiver::Impl {
  asio::io_context ioc;  // first: destroyed last, after the sockets
  tcp::acceptor acceptor{ioc};
  ReceiverAnswer answer;
  mutable std::mutex mu;
  std::uint16_t port = 0;
  int connections = 0;
  std::vector<ReceivedRequest> requests;
  std::vector<std::shared_ptr<tcp::socket>> held;  // by never_answer
  std::thread thread;

  struct Session {
    tcp::socket socket;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::response<http::string_body> response;
  };

  void accept() {
    acceptor.async_accept([this](const beast::error_code& ec, tcp::socket socket) {
      if (ec) return;  // closed: stopping
      {
        std::lock_guard lock(mu);
        ++connections;
      }
      auto s = std::make_shared<Session>(Session{std::move(socket), {}, {}, {}});
      http::async_read(s->socket, s->buffer, s->request,
                       [this, s](const beast::error_code& e, std::size_t) { on_request(s, e); });
      accept();
    });
  }

  void on_request(const std::shared_ptr<Session>& s, const beast::error_code& ec) {
    if (ec) return;
    ReceivedRequest r;
    r.method = std::string(s->request.method_string());
    r.target = std::string(s->request.target());
    for (const auto& field : s->request) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers[name] = std::string(field.value());
    }
    r.body = s->request.body();
    {
      std::lock_guard lock(mu);
      requests.push_back(std::move(r));
    }
    if (answer.never_answer) {
      held.push_back(std::shared_ptr<tcp::socket>(s, &s->socket));
      return;
    }
    s->response.result(answer.status);
    s->response.version(11);
    for (const auto& [name, value] : answer.headers) s->response.set(name, value);
    s->response.set(http::field::connection, "close");
    s->response.body() = answer.body;
    s->response.prepare_payload();
    http::async_write(s->socket, s->response, [s](const beast::error_code&, std::size_t) {
      beast::error_code ignored;
      s->socket.shutdown(tcp::socket::shutdown_send, ignored);
    });
  }
};

Receiver::Receiver(ReceiverAnswer answer) : impl_(std::make_unique<Impl>()) {
  impl_->answer = std::move(answer);
  tcp::endpoint at(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(at.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(at);
  impl_->acceptor.listen();
  impl_->port = impl_->acceptor.local_endpoint().port();
  impl_->accept();
  impl_->thread = std::thread([impl = impl_.get()] { impl->ioc.run(); });
}

Receiver::~Receiver() {
  asio::post(impl_->ioc, [impl = impl_.get()] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
    for (auto& socket : impl->held) socket->close(ignored);
    impl->held.clear();
    impl->ioc.stop();
  });
  impl_->thread.join();
}

std::uint16_t Receiver::port() const {
  return impl_->port;
}

std::string Receiver::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port()) + path;
}

int Receiver::connections() const {
  std::lock_guard lock(impl_->mu);
  return impl_->connections;
}

std::vector<ReceivedRequest> Receiver::requests() const {
  std::lock_guard lock(impl_->mu);
  return impl_->requests;
}

}  // namespace jobq::webhooks::testing
