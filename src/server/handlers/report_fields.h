// The fields of a worker's report on one job, read alike by the per-job routes
// (POST /jobs/{id}/heartbeat, /fail) and by each entry of the batched ones (/heartbeats, /ack).
#pragma once

#include <boost/json/object.hpp>
#include <string>

#include "jobq/requests.h"
#include "server/field_reader.h"

namespace jobq::server {

// The lease token (required) and the progress fields.
void read_heartbeat(FieldReader& in, std::string& token, Progress& progress);
boost::json::object heartbeat_json(const HeartbeatReply& reply);

struct FailReport {
  std::string id, token, message, traceback;
  bool retryable = true;
};
// The lease token and error (both required), traceback and retryable; not the id.
void read_fail(FieldReader& in, FailReport& f);

}  // namespace jobq::server
