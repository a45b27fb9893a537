// What the client's call files share: reading answers into jobs, and building targets.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "jobq/client.h"

namespace jobq {

ApiError error_from_answer(int status, const std::string& body);
ApiError bad_answer(const std::string& what, const Error& why);
ApiResult<Job> job_answer(const ApiResult<boost::json::value>& answer);
// {"jobs":[...]}
ApiResult<std::vector<Job>> jobs_answer(const ApiResult<boost::json::value>& answer);
ApiResult<JobPage> page_answer(const ApiResult<boost::json::value>& answer);

// Percent-encoding for a path segment or a query value.
std::string encode(std::string_view text);
// /api/v1/jobs/{id}{tail}
std::string job_path(const std::string& id, std::string_view tail);

}  // namespace jobq
