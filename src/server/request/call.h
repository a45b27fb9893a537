// One API call as a handler sees it, and the one-shot way to answer it.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/request/reply.h"

namespace jobq::server {

using NameValues = std::vector<std::pair<std::string, std::string>>;

// Tells a long poll that its client has gone, so that it stops waiting (and a waiting lease does
// not take a job nobody will receive). Thread-safe; the callback runs at most once.
class ClientGone {
 public:
  // Runs `fn` when the client goes, or at once if it has gone already.
  void on_gone(std::function<void()> fn);
  void fire();

 private:
  std::mutex mutex_;
  bool gone_ = false;
  std::function<void()> fn_;
};

struct Call {
  std::string method;
  std::string path;
  NameValues params;  // from the route pattern, e.g. {id}
  NameValues query;   // percent-decoded
  std::string body;
  std::string request_id;
  std::string role;  // the caller key's role; "admin" when no keys are configured
  std::string tier;  // the caller key's quota tier (api_keys KEY:ROLE/TIER); empty: none
  bool keys_configured = false;
  std::string if_none_match;  // the If-None-Match header, for the dashboard's files
  std::shared_ptr<ClientGone> client_gone = std::make_shared<ClientGone>();

  const std::string& param(std::string_view name) const;
  std::optional<std::string> query_value(std::string_view name) const;
};

// A reply, built when it is sent: on the connection's own thread, whichever thread answered.
using ReplyMaker = std::function<Reply()>;

// Answers a call exactly once, from any thread. Later answers are ignored; if every copy is dropped
// unanswered (a handler bug), the call is answered 500 so that no client hangs.
class Responder {
 public:
  using Sink = std::function<void(ReplyMaker)>;
  explicit Responder(Sink sink);
  void operator()(Reply reply) const;
  // Answers with what `make` returns, run on the connection's thread: an answer given on the
  // store's writer thread leaves the JSON work to the connection instead of the writer.
  void build(ReplyMaker make) const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// Handlers run on the blocking pool, or, if their route says they never block, on the
// connection's I/O thread; either may answer later (long polls, the store's commit).
using Handler = std::function<void(const Call&, Responder)>;

}  // namespace jobq::server
