#include "server/auth.h"

namespace jobq::server {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

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
