#include "store/redis/scripts.h"

#include <cstdio>
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
// when it is out of memory (never half done), and `#!lua flags=no-writes` for one that reads;
// the function keeps those flags.
const Library& library() {
  static const Library lib = [] {
    // The name comes from the sources, so that the text built from them can carry it.
    std::string head = state_table() + std::string(lua_source("common")) + "\n";
    std::uint64_t hash = 14695981039346656037ull;  // FNV-1a
    auto mix = [&hash](std::string_view text) {
      for (unsigned char c : text) hash = (hash ^ c) * 1099511628211ull;
    };
    constexpr std::string_view kOpen = "}, callback = function(keys, args)\nP, ARGV, LIMITED = keys[1], args, nil\n";
    constexpr std::string_view kClose = "\nend}\n";
    mix(head);
    mix(kOpen);
    mix(kClose);
    for (std::string_view name : lua_names()) {
      mix(name);
      mix(lua_source(name));
    }
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
    Library lib{"jobq_" + std::string(hex), ""};
    lib.text = "#!lua name=" + lib.name + "\n" + head;
    for (std::string_view name : lua_names()) {
      std::string_view source = lua_source(name);
      auto eol = source.find('\n');
      if (source.substr(0, 2) != "#!" || eol == std::string_view::npos)
        throw std::logic_error("lua/" + std::string(name) + ".lua has no shebang");
      bool reads = source.substr(0, eol).find("no-writes") != std::string_view::npos;
      lib.text += "redis.register_function{function_name = '" + lib.name + "_" +
                  std::string(name) + "', flags = {" + (reads ? "'no-writes'" : "") +
                  std::string(kOpen) + std::string(source.substr(eol + 1)) + std::string(kClose);
    }
    return lib;
  }();
  return lib;
}

Status Scripts::load(Connection& connection) {
  auto r = connection.call({"FUNCTION", "LOAD", library().text});
  if (!r) return r.error();
  // Another node (or thread) may have loaded it first: the same name is the same text.
  if ((*r)->type == REDIS_REPLY_ERROR && text(**r).find("already exists") == std::string_view::npos)
    return reply_error("FUNCTION LOAD " + library().name, **r);
  return {};
}

Result<Reply> Scripts::run(Connection& connection, std::string_view name,
                           const std::vector<std::string>& args) {
  std::vector<std::string> call{"FCALL", library().name + "_" + std::string(name), "1", prefix_};
  call.insert(call.end(), args.begin(), args.end());
  auto r = connection.call(call);
  if (!r) return r.error();
  if ((*r)->type == REDIS_REPLY_ERROR && starts_with(text(**r), "ERR Function not found")) {
    if (Status s = load(connection); !s.ok()) return s;
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
