// Whole numbers written as text (query parameters, settings), checked against a range.
#pragma once

#include <cstdint>
#include <string_view>

#include "jobq/error.h"

namespace jobq {

// The error names `field` and says the range.
Result<std::int64_t> parse_int(std::string_view field, std::string_view text, std::int64_t lo,
                               std::int64_t hi);

}  // namespace jobq
