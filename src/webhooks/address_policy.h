// Which addresses a webhook may be sent to. A callback URL is chosen by whoever submits a job, so
// without a check jobq would POST on their behalf to its own loopback, to the private network it
// sits in, or to a cloud's metadata service at 169.254.169.254 (server-side request forgery).
// The policy judges addresses, not names: the caller resolves the host first and asks about every
// address it got, then connects only to an address it asked about (see delivery.h).
//
// Refused unless allow-listed: loopback, private (RFC 1918, fc00::/7), link-local (metadata
// included), unspecified, CGNAT 100.64/10, multicast, broadcast, and the other special-use ranges
// of RFC 6890 (documentation, benchmarking, reserved); for IPv6 anything outside global unicast
// 2000::/3. IPv4 inside IPv6 (::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16) is judged as the
// IPv4 address it carries. The allow-list lets internal receivers through; nothing else does.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jobq/error.h"

namespace jobq::webhooks {

// An IPv4 address (its 4 bytes first in `bytes`) or an IPv6 address (all 16).
struct IpAddress {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};

  static IpAddress v4_from(const std::array<std::uint8_t, 4>& b);
  static IpAddress v6_from(const std::array<std::uint8_t, 16>& b);
  bool operator==(const IpAddress&) const = default;
};

// Dotted decimal or IPv6 text (inet_pton's forms, no zone); nullopt for anything else.
std::optional<IpAddress> parse_ip(std::string_view text);
std::string to_string(const IpAddress& address);
// An IPv6 address that carries an IPv4 one (mapped, NAT64, 6to4) as that IPv4 address; any
// other address as it is.
IpAddress unwrap_v4(const IpAddress& address);

struct CidrRange {
  IpAddress base;  // with no bits set past the prefix
  int prefix = 0;  // 0..32 for IPv4, 0..128 for IPv6
  bool contains(const IpAddress& address) const;
};

// "10.0.0.0/8", "fd00::/8", or a single address ("127.0.0.1" is 127.0.0.1/32). An error's
// message names the entry.
Result<CidrRange> parse_cidr(std::string_view text);

class AddressPolicy {
 public:
  AddressPolicy() = default;  // refuses every special-use address
  explicit AddressPolicy(std::vector<CidrRange> allowed) : allowed_(std::move(allowed)) {}
  // From the setting's text: ranges separated by commas, spaces around them ignored, "" for none.
  static Result<AddressPolicy> from_allow_list(std::string_view text);

  // Why `address` may not be called ("loopback", "link-local (cloud metadata)", ...), or nullopt
  // when it may: a global address, or one in the allow-list.
  std::optional<std::string> refusal(const IpAddress& address) const;
  const std::vector<CidrRange>& allowed() const { return allowed_; }

 private:
  std::vector<CidrRange> allowed_;
};

}  // namespace jobq::webhooks
