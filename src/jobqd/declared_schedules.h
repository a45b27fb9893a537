// The config file's schedules, made so at start.
#pragma once

#include <vector>

#include "jobq/engine.h"
#include "jobqd/config.h"

namespace jobq {

// Creates each declared schedule that does not exist and updates each that differs (a pause
// made through the API stays unless the file sets `paused`), so that applying the same file
// again changes nothing. Schedules the file does not name are left alone. The error names
// schedules.NAME and the field.
Status apply_declared_schedules(Engine& engine, const std::vector<DeclaredSchedule>& declared);

}  // namespace jobq
