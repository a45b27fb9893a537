// What one heartbeat reads and answers, for POST /jobs/{id}/heartbeat and each entry of
// POST /heartbeats alike.
#pragma once

#include <boost/json/object.hpp>
#include <string>

#include "jobq/requests.h"
#include "server/field_reader.h"

namespace jobq::server {

// The lease token (required) and the progress fields.
void read_heartbeat(FieldReader& in, std::string& token, Progress& progress);
boost::json::object heartbeat_json(const HeartbeatReply& reply);

}  // namespace jobq::server
