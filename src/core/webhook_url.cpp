#include "core/webhook_url.h"

#include <string>

namespace jobq {

Status check_webhook_url(std::string_view field, std::string_view url) {
  std::string f(field);
  if (url.size() > kMaxWebhookUrl)
    return Error::invalid(f, "must be at most " + std::to_string(kMaxWebhookUrl) + " characters");
  for (unsigned char c : url)
    if (c <= ' ' || c == 0x7f)
      return Error::invalid(f, "must not contain spaces or control characters");
  std::string_view rest;
  if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else {
    return Error::invalid(f, "must be an http:// or https:// URL");
  }
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.empty()) return Error::invalid(f, "names no host");
  if (authority.find('@') != std::string_view::npos)
    return Error::invalid(f, "must not carry a user name or password");
  if (url.find('#') != std::string_view::npos) return Error::invalid(f, "must not have a fragment");
  std::string_view host = authority;
  if (host.front() == '[') {
    auto close = host.find(']');
    if (close == std::string_view::npos) return Error::invalid(f, "has an unclosed [ in its host");
    std::string_view after = host.substr(close + 1);
    if (!after.empty() && after.front() != ':') return Error::invalid(f, "has a malformed host");
    host = host.substr(0, close + 1);
    authority = after;
  } else {
    auto colon = host.find(':');
    authority = colon == std::string_view::npos ? std::string_view() : host.substr(colon);
    host = host.substr(0, colon);
  }
  if (host.empty() || host == "[]") return Error::invalid(f, "names no host");
  if (!authority.empty()) {  // ":port"
    std::string_view port = authority.substr(1);
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string_view::npos ||
        std::stoi(std::string(port)) < 1 || std::stoi(std::string(port)) > 65535)
      return Error::invalid(f, "has a port that is not 1 to 65535");
  }
  return {};
}

}  // namespace jobq
