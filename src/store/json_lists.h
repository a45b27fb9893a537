// The list fields of a Job (errors, tags, depends_on) as the JSON text the durable backends keep
// them in; an empty list is the empty string.
#pragma once

#include <string>
#include <vector>

#include "jobq/job.h"

namespace jobq {

std::string strings_json(const std::vector<std::string>& items);
std::vector<std::string> strings_from_json(const std::string& text);
std::string error_json(const JobError& error);
std::string errors_json(const std::vector<JobError>& errors);
std::vector<JobError> errors_from_json(const std::string& text);

}  // namespace jobq
