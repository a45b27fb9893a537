// One connection to Redis, blocking, for one thread at a time; it connects on first use and
// again after a failure, backing off after failed attempts. And the address it connects to, from
// a redis:// URL.
#pragma once

#include <hiredis/hiredis.h>

#include <atomic>
#include <string>
#include <vector>

#include "jobq/clock.h"
#include "jobq/error.h"
#include "store/redis/reply.h"

namespace jobq::redis {

struct Address {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string user, password;
  int db = 0;
  std::string to_string() const;  // without the password
};

// redis://[[user]:password@]host[:port][/db]
Result<Address> parse_address(const std::string& url);

class Connection {
 public:
  // waits_forever: no command timeout, for a subscriber that waits for messages. `clock` times
  // the back-off between connection attempts (a SystemClock if null; tests pass a manual one).
  explicit Connection(Address address, bool waits_forever = false, const Clock* clock = nullptr);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // One command. An error reply is a Reply (REDIS_REPLY_ERROR); an Error means the connection
  // failed (unavailable) and the next call connects anew: at once after a connection that was
  // lost, but after a failed attempt to connect only once its back-off has passed (kFirstBackoffMs,
  // doubling up to kMaxBackoffMs; calls before then fail at once, without trying).
  Result<Reply> call(const std::vector<std::string>& args);
  // Many commands in one round trip (pipelined): their replies, in order.
  Result<std::vector<Reply>> call_all(const std::vector<std::vector<std::string>>& commands);
  // The next reply the server pushes (a subscriber's messages).
  Result<Reply> next_reply();
  // From another thread: makes a call or next_reply under way fail at once.
  void interrupt();

  static constexpr Millis kFirstBackoffMs = 100, kMaxBackoffMs = 1000;

 private:
  Status connect();  // an attempt, unless the back-off says not yet
  Status attempt();
  void drop();

  void append(const std::vector<std::string>& args);
  Result<Reply> read();

  Address address_;
  bool waits_forever_;
  const Clock& clock_;
  Millis backoff_ms_ = 0;  // after the last failed attempt; 0 once one succeeds
  Millis next_attempt_ = 0;
  std::string last_failure_;
  redisContext* context_ = nullptr;
  std::atomic<int> fd_{-1};
};

}  // namespace jobq::redis
