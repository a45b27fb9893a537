#include <optional>

#include "jobq/job.h"

namespace jobq {

std::int64_t Retention::keep_ms(const Job& job) const {
  if (job.status == JobStatus::completed && job.result_ttl_ms > 0) return job.result_ttl_ms;
  auto own = queues.find(job.queue);
  auto pick = [&](std::optional<std::int64_t> QueueRetention::*field, std::int64_t server) {
    return own != queues.end() && own->second.*field ? *(own->second.*field) : server;
  };
  switch (job.status) {
    case JobStatus::completed:
      return pick(&QueueRetention::completed_ms, completed_ms);
    case JobStatus::cancelled:
      return pick(&QueueRetention::cancelled_ms, cancelled_ms);
    case JobStatus::failed:
      return pick(&QueueRetention::failed_ms, failed_ms);
    default:
      return 0;  // not finished: nothing to keep it for
  }
}

}  // namespace jobq
