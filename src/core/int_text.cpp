#include "core/int_text.h"

#include <charconv>
#include <string>

namespace jobq {

Result<std::int64_t> parse_int(std::string_view field, std::string_view text, std::int64_t lo,
                               std::int64_t hi) {
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < lo || n > hi)
    return Error::invalid(std::string(field), "must be a whole number from " + std::to_string(lo) +
                                                  " to " + std::to_string(hi));
  return n;
}

}  // namespace jobq
