// What the engine counts: jobs per status, per queue and per type, and recent run times.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "jobq/job.h"

namespace jobq {

struct TypeStats {
  std::string type;
  std::int64_t counts[kJobStatusCount] = {};
  std::int64_t finished_runs = 0;  // finished attempts seen; the three below mean nothing at 0
  double mean_run_ms = 0;
  double p95_run_ms = 0;
  double success_rate = 0;  // completed / (completed + failed) among finished attempts seen
};

struct Stats {
  std::int64_t by_status[kJobStatusCount] = {};
  std::vector<std::pair<std::string, std::vector<std::int64_t>>> by_queue;  // per status
  std::vector<TypeStats> by_type;
};

}  // namespace jobq
