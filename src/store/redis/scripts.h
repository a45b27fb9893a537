// The store's Lua scripts (lua/*.lua), one per operation, each run as one atomic step in Redis:
// loaded once, by SHA1, and loaded again when Redis answers NOSCRIPT (after a restart, say).
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "jobq/error.h"
#include "store/redis/connection.h"

namespace jobq::redis {

// The text of lua/<name>.lua; generated into the build from the files (scripts/lua_to_cpp.py).
std::string_view lua_source(std::string_view name);

class Scripts {
 public:
  explicit Scripts(std::string prefix) : prefix_(std::move(prefix)) {}

  // Runs script `name` with KEYS[1] = the prefix and these ARGV. A script answers
  // {'ok', ...}: that reply is returned. {'err', code, message, field} comes back as that
  // Error; a Redis error reply as unavailable (out of memory, loading) or internal (a bug).
  Result<Reply> run(Connection& connection, std::string_view name,
                    const std::vector<std::string>& args);

  const std::string& prefix() const { return prefix_; }

 private:
  // The script's shebang, the state table, lua/common.lua, then the rest of the script.
  static std::string body(std::string_view name);
  Result<std::string> load(Connection& connection, std::string_view name);

  std::string prefix_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::string> sha_;  // by name
};

// An error reply from Redis as the store's Error.
Error reply_error(std::string_view what, const redisReply& reply);
// A script's {'err', code, message, field} as the store's Error.
Error script_error(const redisReply& reply);

}  // namespace jobq::redis
