// The JSON form of a Job, with the API's field names.
#pragma once

#include <boost/json/value.hpp>

#include "jobq/job.h"

namespace jobq {

// The lease token is included only for the worker that holds the lease.
boost::json::object job_to_json(const Job& job, bool with_lease_token = false);

// Whole numbers as integers: 50 rather than 5E1.
boost::json::value number_to_json(double x);

boost::json::object backoff_to_json(const Backoff& b);
boost::json::object error_to_json(const JobError& e);

}  // namespace jobq
