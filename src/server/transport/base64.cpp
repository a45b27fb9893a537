#include "server/transport/base64.h"

#include <cstdint>

namespace jobq::server {

namespace {

int sextet(char c, Base64 alphabet) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (alphabet == Base64::url) return c == '-' ? 62 : c == '_' ? 63 : -1;
  return c == '+' ? 62 : c == '/' ? 63 : -1;
}

}  // namespace

std::optional<std::string> base64_decode(std::string_view text, Base64 alphabet) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    int v = sextet(c, alphabet);
    if (v < 0) return std::nullopt;
    bits = (bits << 6) | std::uint32_t(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(char((bits >> count) & 0xff));
    }
  }
  if (count >= 6) return std::nullopt;
  return out;
}

}  // namespace jobq::server
