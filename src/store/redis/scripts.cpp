#include "store/redis/scripts.h"

#include <stdexcept>

#include "core/job_state.h"

namespace jobq::redis {

namespace {

// ALLOWED[from][to], from the one state table (src/core/job_state.cpp).
std::string state_table() {
  std::string lua = "local ALLOWED = {\n";
  for (int from = 0; from < kJobStatusCount; ++from) {
    lua += "  " + std::string(to_string(JobStatus(from))) + " = {";
    for (int to = 0; to < kJobStatusCount; ++to)
      if (transition_allowed(JobStatus(from), JobStatus(to)))
        lua += std::string(to_string(JobStatus(to))) + " = true, ";
    lua += "},\n";
  }
  return lua + "}\n";
}

ErrorCode code_named(std::string_view name) {
  if (name == "invalid_argument") return ErrorCode::invalid_argument;
  if (name == "not_found") return ErrorCode::not_found;
  if (name == "conflict") return ErrorCode::conflict;
  return ErrorCode::internal;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

Error reply_error(std::string_view what, const redisReply& reply) {
  std::string_view message = text(reply);
  std::string context = std::string(what) + ": " + std::string(message);
  if (starts_with(message, "OOM")) return Error::unavailable("redis is out of memory: " + context);
  if (starts_with(message, "LOADING") || starts_with(message, "BUSY") ||
      starts_with(message, "READONLY") || starts_with(message, "MASTERDOWN") ||
      starts_with(message, "MISCONF") || starts_with(message, "NOAUTH"))
    return Error::unavailable("redis cannot serve " + context);
  return Error(ErrorCode::internal, "redis answered " + context);
}

Error script_error(const redisReply& reply) {
  auto part = [&](std::size_t i) {
    return i < reply.elements ? std::string(text(at(reply, i))) : std::string();
  };
  return Error(code_named(part(1)), part(2), part(3));
}

// A script's first line is its shebang: `#!lua` for one that writes, which Redis refuses whole
// when it is out of memory (never half done), and `#!lua flags=no-writes` for one that reads.
std::string Scripts::body(std::string_view name) {
  std::string_view source = lua_source(name);
  if (source.substr(0, 2) != "#!")
    throw std::logic_error("no Lua script named " + std::string(name));
  auto eol = source.find('\n');
  return std::string(source.substr(0, eol + 1)) + state_table() +
         std::string(lua_source("common")) + "\n" + std::string(source.substr(eol + 1));
}

Result<std::string> Scripts::load(Connection& connection, std::string_view name) {
  auto r = connection.call({"SCRIPT", "LOAD", body(name)});
  if (!r) return r.error();
  if ((*r)->type != REDIS_REPLY_STRING) return reply_error("SCRIPT LOAD " + std::string(name), **r);
  std::string sha(text(**r));
  std::lock_guard lock(mutex_);
  sha_[std::string(name)] = sha;
  return sha;
}

Result<Reply> Scripts::run(Connection& connection, std::string_view name,
                           const std::vector<std::string>& args) {
  std::string sha;
  {
    std::lock_guard lock(mutex_);
    if (auto it = sha_.find(std::string(name)); it != sha_.end()) sha = it->second;
  }
  if (sha.empty()) {
    auto loaded = load(connection, name);
    if (!loaded) return loaded.error();
    sha = *loaded;
  }
  std::vector<std::string> call{"EVALSHA", sha, "1", prefix_};
  call.insert(call.end(), args.begin(), args.end());
  auto r = connection.call(call);
  if (!r) return r.error();
  if ((*r)->type == REDIS_REPLY_ERROR && starts_with(text(**r), "NOSCRIPT")) {
    auto loaded = load(connection, name);
    if (!loaded) return loaded.error();
    call[1] = *loaded;
    r = connection.call(call);
    if (!r) return r.error();
  }
  const redisReply& reply = **r;
  if (reply.type == REDIS_REPLY_ERROR) return reply_error(std::string(name) + ".lua", reply);
  if (reply.type != REDIS_REPLY_ARRAY || reply.elements == 0)
    return Error(ErrorCode::internal, std::string(name) + ".lua answered no status");
  if (text(at(reply, 0)) == "err") return script_error(reply);
  return std::move(*r);
}

}  // namespace jobq::redis
