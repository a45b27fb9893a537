// The special-use ranges as one table of text, parsed once; matching is prefix comparison.
#include "webhooks/address_policy.h"

#include <arpa/inet.h>

#include <charconv>

namespace jobq::webhooks {

namespace {

struct SpecialRange {
  const char* cidr;
  const char* what;
};

// First match wins, so narrower ranges come before the ranges holding them.
constexpr SpecialRange kSpecialRanges[] = {
    {"0.0.0.0/32", "unspecified"},
    {"0.0.0.0/8", "\"this network\" (reserved)"},
    {"10.0.0.0/8", "private"},
    {"100.64.0.0/10", "shared address space (CGNAT)"},
    {"127.0.0.0/8", "loopback"},
    {"169.254.169.254/32", "link-local (cloud metadata)"},
    {"169.254.0.0/16", "link-local"},
    {"172.16.0.0/12", "private"},
    {"192.0.0.0/24", "IETF protocol assignments (reserved)"},
    {"192.0.2.0/24", "documentation"},
    {"192.88.99.0/24", "6to4 relay anycast (reserved)"},
    {"192.168.0.0/16", "private"},
    {"198.18.0.0/15", "benchmarking"},
    {"198.51.100.0/24", "documentation"},
    {"203.0.113.0/24", "documentation"},
    {"224.0.0.0/4", "multicast"},
    {"255.255.255.255/32", "broadcast"},
    {"240.0.0.0/4", "reserved"},
    {"::/128", "unspecified"},
    {"::1/128", "loopback"},
    {"64:ff9b:1::/48", "NAT64 local use"},
    {"fc00::/7", "private (unique local)"},
    {"fe80::/10", "link-local"},
    {"fec0::/10", "site-local (deprecated)"},
    {"ff00::/8", "multicast"},
    {"2001:db8::/32", "documentation"},
    {"2001::/23", "IETF protocol assignments (Teredo, benchmarking, ...)"},
};

const std::vector<std::pair<CidrRange, std::string>>& special_ranges() {
  static const auto ranges = [] {
    std::vector<std::pair<CidrRange, std::string>> out;
    for (const auto& r : kSpecialRanges) out.emplace_back(parse_cidr(r.cidr).value(), r.what);
    return out;
  }();
  return ranges;
}

bool starts_with_bytes(const IpAddress& a, std::initializer_list<std::uint8_t> prefix) {
  std::size_t i = 0;
  for (std::uint8_t b : prefix)
    if (a.bytes[i++] != b) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

IpAddress IpAddress::v4_from(const std::array<std::uint8_t, 4>& b) {
  IpAddress a;
  for (int i = 0; i < 4; ++i) a.bytes[i] = b[i];
  return a;
}

IpAddress IpAddress::v6_from(const std::array<std::uint8_t, 16>& b) {
  IpAddress a;
  a.v6 = true;
  a.bytes = b;
  return a;
}

std::optional<IpAddress> parse_ip(std::string_view text) {
  if (text.empty() || text.size() > INET6_ADDRSTRLEN) return std::nullopt;
  std::string s(text);  // inet_pton wants a terminated string
  IpAddress a;
  if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) return a;
  if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
    a.v6 = true;
    return a;
  }
  return std::nullopt;
}

std::string to_string(const IpAddress& address) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(address.v6 ? AF_INET6 : AF_INET, address.bytes.data(), buf, sizeof buf);
  return buf;
}

IpAddress unwrap_v4(const IpAddress& a) {
  if (!a.v6) return a;
  auto v4_at = [&](int at) {
    return IpAddress::v4_from({a.bytes[at], a.bytes[at + 1], a.bytes[at + 2], a.bytes[at + 3]});
  };
  // ::ffff:a.b.c.d (mapped) and 64:ff9b::a.b.c.d (NAT64, RFC 6052): the last 4 bytes.
  if (starts_with_bytes(a, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}) ||
      starts_with_bytes(a, {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0}))
    return v4_at(12);
  // 2002:aabb:ccdd::/48 (6to4, RFC 3056): bytes 2..5.
  if (starts_with_bytes(a, {0x20, 0x02})) return v4_at(2);
  return a;
}

bool CidrRange::contains(const IpAddress& address) const {
  if (address.v6 != base.v6) return false;
  int full = prefix / 8, rest = prefix % 8;
  for (int i = 0; i < full; ++i)
    if (address.bytes[i] != base.bytes[i]) return false;
  if (rest == 0) return true;
  std::uint8_t mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (address.bytes[full] & mask) == base.bytes[full];
}

Result<CidrRange> parse_cidr(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return Error::invalid("allow_list", "\"" + std::string(text) + "\": " + why);
  };
  std::size_t slash = text.find('/');
  auto address = parse_ip(text.substr(0, slash));
  if (!address) return bad("not an IP address or CIDR range (like 10.0.0.0/8 or fd00::/8)");
  int max = address->v6 ? 128 : 32;
  CidrRange range{*address, max};
  if (slash != std::string_view::npos) {
    std::string_view p = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), range.prefix);
    if (p.empty() || ec != std::errc() || end != p.data() + p.size() || range.prefix < 0 ||
        range.prefix > max || (p.size() > 1 && p[0] == '0'))
      return bad("the prefix length must be 0 to " + std::to_string(max));
  }
  CidrRange network = range;
  for (int bit = range.prefix; bit < max; ++bit)
    network.base.bytes[bit / 8] &= static_cast<std::uint8_t>(~(0x80 >> (bit % 8)));
  if (network.base != range.base)
    return bad("has bits set past its prefix; the range is " + to_string(network.base) + "/" +
               std::to_string(range.prefix));
  // A range of mapped addresses is the IPv4 range they map, as addresses are judged unwrapped.
  if (range.base.v6 && range.prefix >= 96 &&
      starts_with_bytes(range.base, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}))
    return CidrRange{unwrap_v4(range.base), range.prefix - 96};
  return range;
}

Result<AddressPolicy> AddressPolicy::from_allow_list(std::string_view text) {
  std::vector<CidrRange> allowed;
  while (!text.empty()) {
    std::size_t comma = text.find(',');
    std::string_view entry = trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    if (entry.empty()) continue;
    auto range = parse_cidr(entry);
    if (!range) return range.error();
    allowed.push_back(range.value());
  }
  return AddressPolicy(std::move(allowed));
}

std::optional<std::string> AddressPolicy::refusal(const IpAddress& address) const {
  IpAddress a = unwrap_v4(address);
  for (const auto& range : allowed_)
    if (range.contains(a) || range.contains(address)) return std::nullopt;
  for (const auto& [range, what] : special_ranges())
    if (range.contains(a)) return what;
  if (a.v6 && (a.bytes[0] & 0xe0) != 0x20) return "reserved (outside IPv6 global unicast)";
  return std::nullopt;
}

}  // namespace jobq::webhooks
