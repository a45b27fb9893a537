// A schedule's JSON form: what a user sends (POST and PATCH /schedules), what the server answers
// and stores.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "jobq/error.h"
#include "jobq/schedule.h"

namespace jobq {

// POST /schedules: name, cron, job (required), timezone, overlap, misfire, misfire_limit, paused.
// Unknown fields are refused; errors in the template name it as job.FIELD. The rules are the
// engine's to check.
Result<ScheduleSpec> schedule_spec_from_json(const boost::json::value& json);

// PATCH /schedules/{name}: any of those fields but name.
Result<SchedulePatch> schedule_patch_from_json(const boost::json::value& json);

// A spec as the body of POST /schedules (for clients).
boost::json::object schedule_spec_to_json(const ScheduleSpec& spec);

// The whole schedule: its spec with the job template as a JSON object, next_run_at,
// last_run_at, last_job_id, created_at and updated_at (times as RFC 3339 text, or null).
boost::json::object schedule_to_json(const Schedule& schedule);

// The reverse, for stores and clients; fields it does not know are ignored.
Result<Schedule> schedule_from_json(const boost::json::value& json);

}  // namespace jobq
