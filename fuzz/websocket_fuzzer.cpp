// Fuzzes WebSocket frames from a client: the bytes arrive on an accepted server-side
// websocket::stream set up as stream_transport.cpp sets up its streams (64 KiB messages, no
// compression), over Beast's in-memory test stream. As on the server, one message goes out while
// the reads run until an error: a close frame, a bad frame, or the end of the input.
#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

namespace {

// The upgrade request the server has already read and routed when it accepts (RFC 6455 4.1).
http::request<http::string_body> upgrade_request() {
  http::request<http::string_body> req{http::verb::get, "/api/v1/events/ws", 11};
  req.set(http::field::host, "127.0.0.1:8080");
  req.set(http::field::upgrade, "websocket");
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  req.set(http::field::sec_websocket_version, "13");
  return req;
}

struct Reader {
  websocket::stream<beast::test::stream&>& ws;
  beast::flat_buffer buffer;
  void next() {
    ws.async_read(buffer, [this](beast::error_code ec, std::size_t) {
      if (ec) return;
      buffer.consume(buffer.size());  // clients have nothing to say on these streams
      next();
    });
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  boost::asio::io_context ioc;
  beast::test::stream socket(ioc);
  beast::test::stream client(ioc);  // receives the 101, pongs and the close frame
  socket.connect(client);
  socket.append(std::string_view(reinterpret_cast<const char*>(data), size));
  socket.close_remote();  // the client hangs up after its bytes: reads end with eof
  // Small reads, like a slow network, so frames are parsed across read boundaries too.
  if (size > 0 && data[0] % 2) socket.read_size(7);

  websocket::stream<beast::test::stream&> ws(socket);
  ws.read_message_max(64 * 1024);
  beast::error_code accept_ec;
  ws.accept(upgrade_request(), accept_ec);
  if (accept_ec) return 0;
  ws.text(true);
  Reader reader{ws, {}};
  reader.next();
  static const std::string kEvent = R"({"event":"job.progress","job":{"id":"x","progress":50}})";
  ws.async_write(boost::asio::buffer(kEvent), [](beast::error_code, std::size_t) {});
  ioc.run();
  return 0;
}
