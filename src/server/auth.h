// API keys and roles. A route names the kind of access it needs; a role grants some kinds.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "jobq/error.h"

namespace jobq::server {

enum class Role { admin, producer, worker, viewer };

enum class Access {
  open,     // anyone, even without a key: health, readiness, metrics
  read,     // look at jobs, queues, workers and stats
  produce,  // submit, change, cancel and retry jobs
  work,     // lease and report on jobs
  operate,  // queues, dead letters, workers' commands, maintenance
};

std::optional<Role> parse_role(std::string_view name);
std::string_view to_string(Role role);
bool allows(Role role, Access access);

// A browser cannot give a WebSocket request an Authorization header, so a WebSocket client may
// offer its key as the subprotocol "jobq.bearer.<KEY in base64url>", alongside "jobq", which the
// server then chooses. The key of such a Sec-WebSocket-Protocol header, if it has one:
std::optional<std::string> key_from_websocket_protocols(std::string_view header);
// Whether that header offers the subprotocol `name`.
bool offers_websocket_protocol(std::string_view header, std::string_view name);

class ApiKeys {
 public:
  // "KEY:ROLE,KEY:ROLE"; whitespace around items is ignored.
  static Result<ApiKeys> parse(std::string_view text);
  void add(std::string key, Role role) { keys_[std::move(key)] = role; }
  bool empty() const { return keys_.empty(); }
  std::optional<Role> find(std::string_view key) const;

 private:
  std::map<std::string, Role, std::less<>> keys_;
};

}  // namespace jobq::server
