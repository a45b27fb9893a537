// What every JobSource shares: an outcome and the next lease as two calls, for a source that has
// no single call for both.
#include "jobq/job_source.h"

namespace jobq {

JobSource::Handoff JobSource::finish_and_lease(const AckItem& outcome, const LeaseRequest& next) {
  Handoff h;
  h.outcome = outcome.error.empty()
                  ? complete(outcome.id, outcome.lease_token, outcome.result_json)
                  : fail(outcome.id, outcome.lease_token, outcome.error, outcome.traceback,
                         outcome.retryable);
  // A failed lease is left to the worker's next lease of its own, which reports it.
  if (auto jobs = lease(next, std::chrono::milliseconds(0))) h.jobs = std::move(*jobs);
  return h;
}

}  // namespace jobq
