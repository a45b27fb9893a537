// The store's Lua scripts (lua/*.lua), one per operation, each run as one atomic step in Redis.
// They are the functions of one Redis function library (FUNCTION LOAD), named after a hash of
// its text so that nodes of another jobq version keep theirs: common.lua runs once, when the
// library is loaded, not at every call. The library is loaded on first use, and again when Redis
// answers that a function is not found (FUNCTION FLUSH, a Redis without persistence restarted).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "jobq/error.h"
#include "store/redis/connection.h"

namespace jobq::redis {

// The text of lua/<name>.lua, and the names of every script but common; generated into the
// build from the files (scripts/lua_to_cpp.py).
std::string_view lua_source(std::string_view name);
std::vector<std::string_view> lua_names();

class Scripts {
 public:
  explicit Scripts(std::string prefix) : prefix_(std::move(prefix)) {}

  // Runs script `name` (FCALL) with the prefix as its one key and these arguments. A script answers
  // {'ok', ...}: that reply is returned. {'err', code, message, field} comes back as that
  // Error; a Redis error reply as unavailable (out of memory, loading) or internal (a bug).
  Result<Reply> run(Connection& connection, std::string_view name,
                    const std::vector<std::string>& args);

  const std::string& prefix() const { return prefix_; }

 private:
  // FUNCTION LOAD of the library; one already loaded under its name is the same text.
  Status load(Connection& connection);

  std::string prefix_;
};

// The library: its name (jobq_ and a hash of its text) and its text (the state table,
// lua/common.lua, then each script as a function named <library>_<script>).
struct Library {
  std::string name, text;
};
const Library& library();

// An error reply from Redis as the store's Error.
Error reply_error(std::string_view what, const redisReply& reply);
// A script's {'err', code, message, field} as the store's Error.
Error script_error(const redisReply& reply);

}  // namespace jobq::redis
