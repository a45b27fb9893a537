#include "core/job_state.h"

#include <array>
#include <string>

namespace jobq {

namespace {

using S = JobStatus;
constexpr int N = kJobStatusCount;

// kAllowed[from][to]; the diagram in DESIGN.md, "States".
constexpr std::array<std::array<bool, N>, N> kAllowed = [] {
  std::array<std::array<bool, N>, N> t{};
  auto allow = [&t](S from, S to) { t[int(from)][int(to)] = true; };
  allow(S::waiting, S::queued);     // dependencies done
  allow(S::waiting, S::scheduled);  // dependencies done, run_at in the future
  allow(S::waiting, S::failed);     // a dependency failed or was cancelled
  allow(S::waiting, S::cancelled);
  allow(S::scheduled, S::queued);  // run_at reached
  allow(S::scheduled, S::cancelled);
  allow(S::queued, S::running);    // leased
  allow(S::queued, S::scheduled);  // run_at moved into the future
  allow(S::queued, S::cancelled);
  allow(S::running, S::completed);
  allow(S::running, S::scheduled);  // failed, retry after backoff
  allow(S::running, S::queued);     // failed, retry at once
  allow(S::running, S::failed);     // failed, no attempts left
  allow(S::running, S::cancelled);  // gave up after cancel_requested
  allow(S::failed, S::queued);      // retried by hand
  allow(S::cancelled, S::queued);   // retried by hand
  return t;
}();

constexpr std::array<std::string_view, N> kNames = {"waiting",   "scheduled", "queued",   "running",
                                                    "completed", "failed",    "cancelled"};

}  // namespace

std::string_view to_string(JobStatus s) {
  return kNames[int(s)];
}

std::optional<JobStatus> parse_status(std::string_view name) {
  for (int i = 0; i < N; ++i)
    if (kNames[i] == name) return JobStatus(i);
  return std::nullopt;
}

bool is_terminal(JobStatus s) {
  return s == S::completed || s == S::failed || s == S::cancelled;
}

bool is_active(JobStatus s) {
  return !is_terminal(s);
}

bool transition_allowed(JobStatus from, JobStatus to) {
  return kAllowed[int(from)][int(to)];
}

Status transition(Job& job, JobStatus to) {
  if (!transition_allowed(job.status, to)) {
    return Error::conflict("job " + job.id + " cannot go from " +
                           std::string(to_string(job.status)) + " to " +
                           std::string(to_string(to)));
  }
  job.status = to;
  return {};
}

}  // namespace jobq
