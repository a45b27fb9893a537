// How commands print: JSON for --json (one document per line, for jq and scripts), aligned tables
// and key: value blocks for people.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <vector>

#include "cli/table.h"
#include "jobq/job.h"
#include "jobq/limits.h"

namespace jobq::cli {

void print_json(const boost::json::value& value);
void print_job_json(const Job& job);

// id, type, queue, status, priority, progress, attempts, created: one row per job.
Table jobs_table(const std::vector<Job>& jobs);
// Every field of one job that has a value, as "name: value" lines.
void print_job_details(const Job& job);

// "running", or "running (cancel requested)".
std::string status_text(const Job& job);
// RFC 3339, or "-" for none.
std::string time_text(Millis t);
// A running cap as its number, "-" for none.
std::string max_running_text(std::int64_t max_running);
// A duration in the largest unit that divides it ("1m", "90s", "1500ms"; the form durations are
// given in).
std::string duration_text(Millis ms);
// A start rate as COUNT/PERIOD, the period in the largest unit that divides it ("10/1m",
// "3/1500ms"; the form --rate takes), "-" for none.
std::string rate_text(const Rate& rate);
// A JSON value as compact text; a string as itself.
std::string value_text(const boost::json::value& value);
// A member of an object as text ("" if absent), for tables of the operators' answers.
std::string member_text(const boost::json::value& object, std::string_view key);
// Members of an object that hold lists of strings, joined with commas.
std::string list_text(const boost::json::value& object, std::string_view key);

}  // namespace jobq::cli
