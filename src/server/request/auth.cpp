#include "server/request/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <algorithm>
#include <cstdint>
#include <stdexcept>

#include "core/job_spec.h"
#include "server/transport/base64.h"
#include "server/transport/text.h"

namespace jobq::server {

namespace {

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
    key = base64_decode(item.substr(kPrefix.size()), Base64::url);
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
  if (text.empty()) return keys;
  constexpr std::string_view kForm = "write keys as KEY:ROLE,KEY:ROLE/TIER";
  for (int n = 1;; ++n) {
    auto comma = text.find(',');
    std::string_view item = trim(text.substr(0, comma));
    std::string where = "entry " + std::to_string(n);
    if (item.empty()) return Error::invalid("api_keys", where + " is empty; " + std::string(kForm));
    auto colon = item.rfind(':');
    std::string_view key = colon == std::string_view::npos ? "" : trim(item.substr(0, colon));
    if (key.empty())
      return Error::invalid("api_keys", where + " has no key; " + std::string(kForm));
    std::string_view role_name = trim(item.substr(colon + 1));
    std::string tier;
    if (auto slash = role_name.find('/'); slash != std::string_view::npos) {
      tier = trim(role_name.substr(slash + 1));
      role_name = trim(role_name.substr(0, slash));
      if (Status s = check_name("tier", tier); !s.ok())
        return Error::invalid("api_keys", where + " has a bad tier: " + s.message());
    }
    auto role = parse_role(role_name);
    if (!role)
      return Error::invalid("api_keys", where + " has the unknown role \"" +
                                            std::string(role_name) +
                                            "\"; use admin, producer, worker or viewer");
    if (keys.find(key)) return Error::invalid("api_keys", where + " repeats a key given before it");
    keys.keys_.push_back({digest(key), {*role, std::move(tier)}});
    if (comma == std::string_view::npos) return keys;
    text.remove_prefix(comma + 1);
  }
}

ApiKeys::Digest ApiKeys::digest(std::string_view key) {
  Digest out;
  unsigned int size = 0;
  if (EVP_Digest(key.data(), key.size(), out.data(), &size, EVP_sha256(), nullptr) != 1 ||
      size != out.size())
    throw std::runtime_error("SHA-256 is unavailable from OpenSSL");
  return out;
}

std::optional<Caller> ApiKeys::find(std::string_view key) const {
  Digest given = digest(key);
  std::optional<Caller> found;
  for (const Entry& e : keys_)  // every entry, even after a match
    if (CRYPTO_memcmp(e.digest.data(), given.data(), given.size()) == 0) found = e.caller;
  return found;
}

std::optional<std::string> bearer_token(std::string_view header) {
  constexpr std::string_view kScheme = "bearer";
  if (header.size() <= kScheme.size() || header[kScheme.size()] != ' ' ||
      !iequals(header.substr(0, kScheme.size()), kScheme))
    return std::nullopt;
  std::string_view token = header.substr(kScheme.size() + 1);  // token68: no spaces in it
  if (token.empty() || token.find_first_of(" \t") != std::string_view::npos) return std::nullopt;
  return std::string(token);
}

std::vector<std::string> ApiKeys::tiers() const {
  std::vector<std::string> out;
  for (const Entry& e : keys_)
    if (!e.caller.tier.empty() && std::find(out.begin(), out.end(), e.caller.tier) == out.end())
      out.push_back(e.caller.tier);
  return out;
}

Result<std::optional<Caller>, Denial> authorize(const ApiKeys& keys, const Credentials& offered,
                                                Access access) {
  if (keys.empty()) return std::optional<Caller>(Caller{Role::admin, {}});
  if (access == Access::open) return std::optional<Caller>();
  std::optional<std::string> key = bearer_token(offered.authorization);
  if (!key) key = key_from_websocket_protocols(offered.websocket_protocols);
  if (!key)
    return Denial{401, "unauthorized",
                  "send an API key as Authorization: Bearer KEY (a WebSocket may offer the "
                  "subprotocol jobq.bearer.<KEY in base64url> instead)",
                  "Authorization"};
  std::optional<Caller> caller = keys.find(*key);
  if (!caller) return Denial{401, "unauthorized", "unknown API key", "Authorization"};
  if (!allows(caller->role, access))
    return Denial{403, "forbidden",
                  "the " + std::string(to_string(caller->role)) + " role may not do this", ""};
  return caller;
}

}  // namespace jobq::server
