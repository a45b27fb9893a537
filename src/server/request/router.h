// The route table: method and path pattern ("/api/v1/jobs/{id}") to a handler and the access it
// needs. Matching is by path segments; a {name} segment matches any one segment.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "server/request/auth.h"
#include "server/request/call.h"
#include "server/live/event_stream.h"

namespace jobq::server {

// A stream route opens an EventStream (on the blocking pool); the server then carries its
// messages to the client over WebSocket or Server-Sent Events until it ends.
struct StreamOpening {
  std::shared_ptr<EventStream> stream;
  Message first;                // sent before the stream's messages; may be null
  std::function<void()> close;  // called once the connection is done with the stream
};
using StreamOpener = std::function<Result<StreamOpening>(const Call&)>;

enum class Transport { http, websocket, sse };

struct Route {
  std::string method;
  std::string pattern;
  Access access;
  Handler handler;  // for Transport::http
  Transport transport = Transport::http;
  StreamOpener open;                       // for the streams
  std::vector<std::string> segments = {};  // the pattern split at '/', once
  bool long_poll = false;                  // the server watches for the client going meanwhile
  bool never_blocks = false;               // the handler may run on the I/O thread
};

struct RouteTraits {
  bool long_poll = false;
  // The handler never waits: it answers at once or through the engine's *_async calls, so it
  // runs on the connection's I/O thread with no hand-off to the blocking pool and back.
  bool never_blocks = false;
};

class Router {
 public:
  void add(std::string method, std::string pattern, Access access, Handler handler,
           RouteTraits traits = {});
  void add_stream(std::string pattern, Access access, Transport transport, StreamOpener open);

  struct Match {
    const Route* route = nullptr;  // null: no route for this method and path
    bool path_known = false;       // some route has this path, with another method (405)
    std::string allow;             // those methods, for the Allow header
    NameValues params;
  };
  Match match(std::string_view method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace jobq::server
