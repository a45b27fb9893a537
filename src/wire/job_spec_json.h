// A submit's JSON form both ways: the server decodes it, a client writes it.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string_view>

#include "jobq/error.h"
#include "jobq/requests.h"

namespace jobq {

// A JobSpec from a JSON object with the API's field names; priority as a number or an alias,
// run_at as RFC 3339 text or milliseconds since the epoch. Unknown fields and values of the wrong
// type are refused; the rules (ranges, names, limits) are the engine's to check.
Result<JobSpec> job_spec_from_json(const boost::json::value& json);

// A priority as a number or one of the aliases low, normal, high, critical (unranged).
Result<int> priority_from_json(const boost::json::value& json, std::string_view field = "priority");

// The reverse, for clients: the JSON body of a submit. Fields left at their defaults are omitted,
// so the server's defaults apply. The payload must be valid JSON text.
Result<boost::json::object> job_spec_to_json(const JobSpec& spec);

}  // namespace jobq
