#include "store/redis/connection.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <algorithm>
#include <charconv>

namespace jobq::redis {

namespace {

constexpr timeval kConnectTimeout{1, 0};
// A command that takes longer means Redis is stuck or gone; the store answers unavailable.
constexpr timeval kCommandTimeout{5, 0};

bool parse_int(std::string_view s, int& out) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size();
}

}  // namespace

std::string Address::to_string() const {
  return "redis://" + (user.empty() ? "" : user + "@") + host + ":" + std::to_string(port) + "/" +
         std::to_string(db);
}

Result<Address> parse_address(const std::string& url) {
  const std::string scheme = "redis://";
  auto bad = [&](const std::string& why) {
    return Error::invalid("store", "bad redis URL \"" + url + "\": " + why +
                                       " (redis://[user:password@]host:port/db)");
  };
  if (url.rfind(scheme, 0) != 0) return bad("it must start with redis://");
  std::string_view rest(url);
  rest.remove_prefix(scheme.size());
  Address a;
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view auth = rest.substr(0, at);
    rest.remove_prefix(at + 1);
    auto colon = auth.find(':');
    if (colon == std::string_view::npos) {
      a.password = std::string(auth);
    } else {
      a.user = std::string(auth.substr(0, colon));
      a.password = std::string(auth.substr(colon + 1));
    }
  }
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    std::string_view db = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
    if (!db.empty() && (!parse_int(db, a.db) || a.db < 0)) return bad("the db is not a number");
  }
  if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    if (!parse_int(rest.substr(colon + 1), a.port) || a.port <= 0 || a.port > 65535)
      return bad("the port is not a number from 1 to 65535");
    rest = rest.substr(0, colon);
  }
  if (!rest.empty()) a.host = std::string(rest);
  return a;
}

namespace {

const Clock& system_clock() {
  static const SystemClock clock;
  return clock;
}

}  // namespace

Connection::Connection(Address address, bool waits_forever, const Clock* clock)
    : address_(std::move(address)),
      waits_forever_(waits_forever),
      clock_(clock ? *clock : system_clock()) {}

Connection::~Connection() {
  drop();
}

void Connection::drop() {
  fd_ = -1;
  if (context_) redisFree(context_);
  context_ = nullptr;
}

void Connection::interrupt() {
  int fd = fd_;
  if (fd >= 0) shutdown(fd, SHUT_RDWR);
}

Status Connection::connect() {
  Millis now = clock_.now();
  if (now < next_attempt_)
    return Error::unavailable(last_failure_ + " (next attempt in " +
                              std::to_string(next_attempt_ - now) + " ms)");
  Status s = attempt();
  if (s.ok()) {
    backoff_ms_ = 0;
    next_attempt_ = 0;
  } else {
    backoff_ms_ = backoff_ms_ == 0 ? kFirstBackoffMs : std::min(2 * backoff_ms_, kMaxBackoffMs);
    next_attempt_ = now + backoff_ms_;
    last_failure_ = s.message();
  }
  return s;
}

Status Connection::attempt() {
  context_ = redisConnectWithTimeout(address_.host.c_str(), address_.port, kConnectTimeout);
  if (!context_ || context_->err) {
    std::string why = context_ ? context_->errstr : "out of memory";
    drop();
    return Error::unavailable("cannot connect to " + address_.to_string() + ": " + why);
  }
  if (!waits_forever_) redisSetTimeout(context_, kCommandTimeout);
  fd_ = context_->fd;
  auto setup = [&](std::vector<std::string> args) -> Status {
    auto r = call(args);
    if (!r) return r.error();
    if ((*r)->type == REDIS_REPLY_ERROR) {
      std::string why(text(**r));
      drop();
      return Error::unavailable(address_.to_string() + " refused " + args[0] + ": " + why);
    }
    return {};
  };
  if (!address_.password.empty()) {
    Status s = address_.user.empty() ? setup({"AUTH", address_.password})
                                     : setup({"AUTH", address_.user, address_.password});
    if (!s.ok()) return s;
  }
  if (address_.db != 0) return setup({"SELECT", std::to_string(address_.db)});
  return {};
}

void Connection::append(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (const auto& a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  redisAppendCommandArgv(context_, int(argv.size()), argv.data(), lengths.data());
}

Result<Reply> Connection::read() {
  void* reply = nullptr;
  if (redisGetReply(context_, &reply) != REDIS_OK || !reply) {
    std::string why = context_->errstr;
    drop();
    return Error::unavailable("lost " + address_.to_string() + ": " + why);
  }
  return Reply(static_cast<redisReply*>(reply));
}

Result<Reply> Connection::call(const std::vector<std::string>& args) {
  if (!context_) {
    if (Status s = connect(); !s.ok()) return s;
  }
  append(args);
  return read();
}

Result<std::vector<Reply>> Connection::call_all(
    const std::vector<std::vector<std::string>>& commands) {
  if (!context_) {
    if (Status s = connect(); !s.ok()) return s;
  }
  for (const auto& args : commands) append(args);
  std::vector<Reply> replies;
  replies.reserve(commands.size());
  for (std::size_t i = 0; i < commands.size(); ++i) {
    auto r = read();
    if (!r) return r.error();
    replies.push_back(std::move(*r));
  }
  return replies;
}

Result<Reply> Connection::next_reply() {
  if (!context_) return Error::unavailable("not connected to " + address_.to_string());
  return read();
}

}  // namespace jobq::redis
