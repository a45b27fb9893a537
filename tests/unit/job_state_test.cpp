#include "core/job_state.h"

#include <gtest/gtest.h>

namespace jobq {
namespace {

TEST(JobState, TheTableAllowsExactlyTheDesignedTransitions) {
  using S = JobStatus;
  const std::vector<std::pair<S, S>> allowed = {
      {S::waiting, S::queued},    {S::waiting, S::scheduled}, {S::waiting, S::failed},
      {S::waiting, S::cancelled}, {S::scheduled, S::queued},  {S::scheduled, S::cancelled},
      {S::queued, S::running},    {S::queued, S::scheduled},  {S::queued, S::cancelled},
      {S::running, S::completed}, {S::running, S::scheduled}, {S::running, S::queued},
      {S::running, S::failed},    {S::running, S::cancelled}, {S::failed, S::queued},
      {S::cancelled, S::queued}};
  for (int from = 0; from < kJobStatusCount; ++from)
    for (int to = 0; to < kJobStatusCount; ++to) {
      bool expected =
          std::find(allowed.begin(), allowed.end(), std::pair{S(from), S(to)}) != allowed.end();
      EXPECT_EQ(transition_allowed(S(from), S(to)), expected)
          << to_string(S(from)) << " -> " << to_string(S(to));
    }
}

TEST(JobState, AForbiddenTransitionIsAConflictAndChangesNothing) {
  Job job;
  job.id = "j";
  job.status = JobStatus::completed;
  Status s = transition(job, JobStatus::running);
  EXPECT_EQ(s.code(), ErrorCode::conflict);
  EXPECT_EQ(job.status, JobStatus::completed);
  EXPECT_NE(s.message().find("completed to running"), std::string::npos);
}

TEST(JobState, NamesRoundTrip) {
  for (int i = 0; i < kJobStatusCount; ++i)
    EXPECT_EQ(parse_status(to_string(JobStatus(i))), JobStatus(i));
  EXPECT_FALSE(parse_status("done").has_value());
}

}  // namespace
}  // namespace jobq
