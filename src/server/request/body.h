// A call's JSON body, and the fields that several routes share.
#pragma once

#include <boost/json/object.hpp>

#include "jobq/error.h"
#include "server/request/call.h"

namespace jobq::server {

// The body as a JSON object; an empty body is an empty object.
Result<boost::json::object> body_object(const Call& call);

// The optional "answer" field of a batch call: "jobs" (the default) answers with each whole job,
// "ids" with its id alone, which is all a bulk producer or a busy worker needs. True for "ids".
Result<bool> read_ids_only(const boost::json::object& body);

}  // namespace jobq::server
