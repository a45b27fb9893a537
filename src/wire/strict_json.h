// Reading JSON text that came from outside: with a nesting limit, refusing a number beyond a
// double's range (read as infinity, it could not be written back as JSON), and refusing an object
// that gives one key twice. Parsers disagree on which of the two wins (Boost.JSON keeps the last,
// some keep the first), so a body that a proxy or a worker could read differently from jobqd is
// refused rather than guessed at.
#pragma once

#include <boost/json/value.hpp>
#include <cstddef>
#include <string_view>

#include "jobq/error.h"

namespace jobq {

// The value of `text`; the error names `field` and says where the text broke, or names the key
// given twice.
Result<boost::json::value> parse_json(std::string_view text, std::string_view field = "body",
                                      std::size_t max_depth = 64);

}  // namespace jobq
