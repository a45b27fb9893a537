// One connection to Redis, blocking, for one thread at a time; it connects on first use and
// again after a failure. And the address it connects to, from a redis:// URL.
#pragma once

#include <hiredis/hiredis.h>

#include <atomic>
#include <string>
#include <vector>

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
  // waits_forever: no command timeout, for a subscriber that waits for messages.
  explicit Connection(Address address, bool waits_forever = false)
      : address_(std::move(address)), waits_forever_(waits_forever) {}
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // One command. An error reply is a Reply (REDIS_REPLY_ERROR); an Error means the connection
  // failed (unavailable) and the next call connects anew.
  Result<Reply> call(const std::vector<std::string>& args);
  // Many commands in one round trip (pipelined): their replies, in order.
  Result<std::vector<Reply>> call_all(const std::vector<std::vector<std::string>>& commands);
  // The next reply the server pushes (a subscriber's messages).
  Result<Reply> next_reply();
  // From another thread: makes a call or next_reply under way fail at once.
  void interrupt();

 private:
  Status connect();
  void drop();

  void append(const std::vector<std::string>& args);
  Result<Reply> read();

  Address address_;
  bool waits_forever_;
  redisContext* context_ = nullptr;
  std::atomic<int> fd_{-1};
};

}  // namespace jobq::redis
