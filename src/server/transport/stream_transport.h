// Carrying an EventStream to a client: as WebSocket text frames, or as Server-Sent Events.
// Private to the server: http_session.cpp hands a connection over once a stream route matched.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>

#include "server/request/router.h"

namespace jobq::server {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;

// Both return when the stream ends (its job finished, the server shuts down, the client leaves
// or falls too far behind), after saying goodbye properly: a close frame, or the end of the body.
// The handshake has been checked (request_checks.h), so Beast's own refusals, which are not in
// the API's error format, do not happen.
boost::asio::awaitable<void> serve_websocket(boost::beast::tcp_stream stream, HttpRequest req,
                                             std::string request_id, StreamOpening opening);
boost::asio::awaitable<void> serve_sse(boost::beast::tcp_stream stream, HttpRequest req,
                                       StreamOpening opening);

}  // namespace jobq::server
