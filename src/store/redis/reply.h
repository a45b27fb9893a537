// A hiredis reply, owned; and reading its parts.
#pragma once

#include <hiredis/hiredis.h>

#include <memory>
#include <string>
#include <string_view>

namespace jobq::redis {

struct ReplyFree {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyFree>;

inline std::string_view text(const redisReply& r) {
  return r.type == REDIS_REPLY_STRING || r.type == REDIS_REPLY_STATUS || r.type == REDIS_REPLY_ERROR
             ? std::string_view(r.str, r.len)
             : std::string_view();
}

inline const redisReply& at(const redisReply& r, std::size_t i) {
  return *r.element[i];
}

}  // namespace jobq::redis
