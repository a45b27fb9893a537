#include "server/auth.h"

#include <cstdint>

namespace jobq::server {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

// Base64url (RFC 4648 section 5), padding optional; nullopt if it is not that.
std::optional<std::string> base64url_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    int v = c >= 'A' && c <= 'Z'   ? c - 'A'
            : c >= 'a' && c <= 'z' ? c - 'a' + 26
            : c >= '0' && c <= '9' ? c - '0' + 52
            : c == '-'             ? 62
            : c == '_'             ? 63
                                   : -1;
    if (v < 0) return std::nullopt;
    bits = (bits << 6) | std::uint32_t(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(char((bits >> count) & 0xff));
    }
  }
  if (count >= 6) return std::nullopt;  // a lone trailing character encodes no byte
  return out;
}

// Calls fn with each trimmed item of a comma-separated header until it returns true.
template <class Fn>
bool any_item(std::string_view header, Fn fn) {
  while (!header.empty()) {
    auto comma = header.find(',');
    if (fn(trim(header.substr(0, comma)))) return true;
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
  }
  return false;
}

}  // namespace

std::optional<std::string> key_from_websocket_protocols(std::string_view header) {
  constexpr std::string_view kPrefix = "jobq.bearer.";
  std::optional<std::string> key;
  any_item(header, [&](std::string_view item) {
    if (item.substr(0, kPrefix.size()) != kPrefix) return false;
    key = base64url_decode(item.substr(kPrefix.size()));
    return true;
  });
  if (key && key->empty()) return std::nullopt;
  return key;
}

bool offers_websocket_protocol(std::string_view header, std::string_view name) {
  return any_item(header, [&](std::string_view item) { return item == name; });
}

std::optional<Role> parse_role(std::string_view name) {
  if (name == "admin") return Role::admin;
  if (name == "producer") return Role::producer;
  if (name == "worker") return Role::worker;
  if (name == "viewer") return Role::viewer;
  return std::nullopt;
}

std::string_view to_string(Role role) {
  switch (role) {
    case Role::admin:
      return "admin";
    case Role::producer:
      return "producer";
    case Role::worker:
      return "worker";
    case Role::viewer:
      return "viewer";
  }
  return "viewer";
}

bool allows(Role role, Access access) {
  if (access == Access::open || access == Access::read) return true;
  switch (role) {
    case Role::admin:
      return true;
    case Role::producer:
      return access == Access::produce;
    case Role::worker:
      return access == Access::work;
    case Role::viewer:
      return false;
  }
  return false;
}

Result<ApiKeys> ApiKeys::parse(std::string_view text) {
  ApiKeys keys;
  while (!text.empty()) {
    auto comma = text.find(',');
    std::string_view item = trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    if (item.empty()) continue;
    auto colon = item.rfind(':');
    if (colon == std::string_view::npos || colon == 0)
      return Error::invalid("api_keys", "each key must be written KEY:ROLE");
    auto role = parse_role(trim(item.substr(colon + 1)));
    if (!role)
      return Error::invalid("api_keys", "unknown role \"" + std::string(item.substr(colon + 1)) +
                                            "\"; use admin, producer, worker or viewer");
    keys.add(std::string(trim(item.substr(0, colon))), *role);
  }
  return keys;
}

std::optional<Role> ApiKeys::find(std::string_view key) const {
  auto it = keys_.find(key);
  if (it == keys_.end()) return std::nullopt;
  return it->second;
}

}  // namespace jobq::server
