// A Job as the fields of its Redis hash (the names of the sqlite columns, every value text), and
// back. The Lua scripts (lua/common.lua) read and write the same fields.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "jobq/job.h"
#include "store/redis/reply.h"

namespace jobq::redis {

// Field, value, field, value, ...: every field but status and seq, which the store decides, and
// but those at their zero ("" or "0", as lua/common.lua's ZERO), which the hash does not keep.
std::vector<std::string> submit_fields(const Job& job);

// A job from a flat array reply of field/value pairs (HGETALL, or a script's job); a field that
// is missing is at its zero.
Job job_from_fields(const redisReply& flat);

std::string int_text(std::int64_t n);
// A whole number as Lua wrote it ("" is 0); anything else throws (a store failure).
std::int64_t int_of(std::string_view s);
std::string real_text(double d);

}  // namespace jobq::redis
