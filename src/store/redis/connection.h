// One connection to Redis, blocking, for one thread at a time; it connects on first use and
// again after a failure. And the address it connects to, from a redis:// URL.
#pragma once

#include <hiredis/hiredis.h>

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
  explicit Connection(Address address) : address_(std::move(address)) {}
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // One command. An error reply is a Reply (REDIS_REPLY_ERROR); an Error means the connection
  // failed (unavailable) and the next call connects anew.
  Result<Reply> call(const std::vector<std::string>& args);

 private:
  Status connect();
  void drop();

  Address address_;
  redisContext* context_ = nullptr;
};

}  // namespace jobq::redis
