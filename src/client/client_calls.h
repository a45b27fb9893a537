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
// Each takes a call's result, or the parsed answer itself: an overload of its own, so that an
// answer is never copied into a result to be read (that copy was a third of a worker's time).
ApiResult<Job> job_answer(const boost::json::value& answer);
ApiResult<Job> job_answer(const ApiResult<boost::json::value>& answer);
// {"jobs":[...]}
ApiResult<std::vector<Job>> jobs_answer(const boost::json::value& answer);
ApiResult<std::vector<Job>> jobs_answer(const ApiResult<boost::json::value>& answer);
ApiResult<JobPage> page_answer(const ApiResult<boost::json::value>& answer);

// Percent-encoding for a path segment or a query value.
std::string encode(std::string_view text);
// /api/v1/jobs/{id}{tail}
std::string job_path(const std::string& id, std::string_view tail);

}  // namespace jobq
