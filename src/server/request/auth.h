// API keys and roles. A route names the kind of access it needs; a role grants some kinds.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

// The configured keys, kept as SHA-256 digests: a lookup hashes the key it is given and compares
// that digest with every entry in constant time, so how long it takes says nothing about how
// close a guess came, and the keys themselves are not held in memory.
// Who a key is: its role, and the quota tier its submits are in (empty: the job's own).
struct Caller {
  Role role;
  std::string tier;
};

class ApiKeys {
 public:
  // "KEY:ROLE,KEY:ROLE/TIER"; whitespace around items is ignored. Empty text is no keys; an empty
  // item (",", "a:admin,,b:viewer"), a missing role, a bad tier name or a key given twice is an
  // error.
  static Result<ApiKeys> parse(std::string_view text);
  bool empty() const { return keys_.empty(); }
  std::size_t size() const { return keys_.size(); }
  std::optional<Caller> find(std::string_view key) const;
  // The tiers the keys name, each once.
  std::vector<std::string> tiers() const;

 private:
  using Digest = std::array<unsigned char, 32>;
  static Digest digest(std::string_view key);
  struct Entry {
    Digest digest;
    Caller caller;
  };
  std::vector<Entry> keys_;
};

// The key of an Authorization header "Bearer KEY" (the scheme in any case), if it is one.
std::optional<std::string> bearer_token(std::string_view header);

// Where a request may carry its key: the Authorization header, or, on a WebSocket upgrade only,
// the Sec-WebSocket-Protocol header (empty on any other request).
struct Credentials {
  std::string_view authorization;
  std::string_view websocket_protocols;
};

// Why a caller may not go on: 401 without a key or with an unknown one, 403 when the key's role
// lacks the access. `field` names the header at fault, if one is. Never ok: it is only an error.
struct Denial {
  int status;
  std::string code;
  std::string message;
  std::string field;
  bool ok() const { return false; }
};

// The caller for a route that needs `access`: its key's; admin when no keys are configured, for
// then anyone may do anything; none on an open route, whose key is not read.
Result<std::optional<Caller>, Denial> authorize(const ApiKeys& keys, const Credentials& offered,
                                                Access access);

}  // namespace jobq::server
