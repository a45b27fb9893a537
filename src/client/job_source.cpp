// What every JobSource shares: an outcome and the next lease as two calls, for a source that has
// no single call for both.
#include "jobq/job_source.h"

namespace jobq {

JobSource::Handoff JobSource::finish_and_lease(const std::vector<AckItem>& items,
                                               const LeaseRequest& next) {
  Handoff h;
  for (const AckItem& item : items) {
    auto r = item.error.empty()
                 ? complete(item.id, item.lease_token, item.result_json)
                 : fail(item.id, item.lease_token, item.error, item.traceback, item.retryable);
    h.outcomes.push_back(r ? Status{} : Status(r.error()));
  }
  if (next.max_jobs <= 0) return h;
  // A failed lease is left to the worker's next lease of its own, which reports it.
  if (auto jobs = lease(next, std::chrono::milliseconds(0))) h.jobs = std::move(*jobs);
  return h;
}

}  // namespace jobq
