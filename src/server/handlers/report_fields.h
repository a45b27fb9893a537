// The fields of a worker's report on one job, read alike by the per-job routes
// (POST /jobs/{id}/heartbeat, /fail) and by each entry of the batched ones (/heartbeats, /ack).
#pragma once

#include <boost/json/object.hpp>
#include <string>

#include "jobq/requests.h"
#include "server/request/field_reader.h"

namespace jobq::server {

// The lease token (required) and the progress fields.
void read_heartbeat(FieldReader& in, std::string& token, Progress& progress);
boost::json::object heartbeat_json(const HeartbeatReply& reply);

struct FailEntry {
  std::string id, token;
  FailReport report;
};
// The lease token and error (both required), traceback, retryable, retry_in_ms and
// count_attempt; not the id.
void read_fail(FieldReader& in, FailEntry& f);

}  // namespace jobq::server
