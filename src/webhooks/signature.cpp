// HMAC-SHA256 from OpenSSL's libcrypto; CRYPTO_memcmp for the constant-time comparison.
#include "webhooks/signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>

namespace jobq::webhooks {

namespace {

std::string hex(const unsigned char* bytes, unsigned int n) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (unsigned int i = 0; i < n; ++i) {
    out += digits[bytes[i] >> 4];
    out += digits[bytes[i] & 0xf];
  }
  return out;
}

bool parse_int(std::string_view text, std::int64_t& out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::string sign(std::string_view secret, std::int64_t timestamp_s, std::string_view body) {
  std::string message = std::to_string(timestamp_s);
  message += '.';
  message += body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &mac_len);
  return hex(mac, mac_len);
}

std::string signature_header(std::string_view secret, std::int64_t timestamp_s,
                             std::string_view body) {
  return "t=" + std::to_string(timestamp_s) + ",v1=" + sign(secret, timestamp_s, body);
}

bool verify(std::string_view secret, std::string_view header, std::string_view body,
            std::int64_t now_s, std::int64_t tolerance_s) {
  std::int64_t t = 0;
  std::string_view v1;
  bool have_t = false;
  while (!header.empty()) {
    std::size_t comma = header.find(',');
    std::string_view part = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    if (part.substr(0, 2) == "t=") {
      if (have_t || !parse_int(part.substr(2), t)) return false;
      have_t = true;
    } else if (part.substr(0, 3) == "v1=") {
      if (!v1.empty()) return false;
      v1 = part.substr(3);
    }
  }
  if (!have_t || v1.empty()) return false;
  if (tolerance_s < 0) return false;
  // In unsigned arithmetic, which cannot overflow: the distance between the two times.
  std::uint64_t age =
      now_s > t ? std::uint64_t(now_s) - std::uint64_t(t) : std::uint64_t(t) - std::uint64_t(now_s);
  if (age > std::uint64_t(tolerance_s)) return false;
  std::string expected = sign(secret, t, body);
  return v1.size() == expected.size() &&
         CRYPTO_memcmp(v1.data(), expected.data(), expected.size()) == 0;
}

}  // namespace jobq::webhooks
