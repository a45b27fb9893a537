// The slots' outcomes, sent together: a slot that finishes while another's call is out waits in
// line, and the front of the line sends everyone's in one call (over HTTP, one POST /ack that
// also leases the jobs those slots run next). LevelDB's writer queue, for a worker: one job in
// flight goes at once, alone; many share a round trip.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "jobq/job_source.h"

namespace jobq {

class OutcomeLine {
 public:
  static constexpr std::size_t kMaxGroup = 100;  // outcomes in one call; /ack takes up to 1,000

  struct Outcome {
    AckItem item;
    bool wants_job = false;  // the slot runs a job next if one is ready
    Status status;           // set when answered
    std::vector<Job> jobs;   // one when wanted and ready; any surplus goes to the sender
    bool answered = false;   // under the line's mutex
  };
  // Sends the items and leases `jobs_wanted` jobs (none with 0), as JobSource::finish_and_lease.
  using Send = std::function<JobSource::Handoff(const std::vector<AckItem>& items, int jobs_wanted)>;

  // Up to `calls_out` calls are out at once: with two, the server works on one group while the
  // worker runs the jobs of the other, where one call out leaves one side idle.
  explicit OutcomeLine(Send send, int calls_out = 1)
      : send_(std::move(send)), max_calls_out_(calls_out < 1 ? 1 : calls_out) {}

  // Returns when `mine` is answered: by this thread's call, or by the one of a slot before it.
  void send(Outcome& mine);
  // Outcomes in line, the ones being sent included.
  std::size_t waiting() const;

 private:
  JobSource::Handoff send_group(const std::vector<Outcome*>& group);

  Send send_;
  // A slot waiting in line, woken alone: when its outcome is answered or it reaches the front
  // (one wake-up per slot per call, not one per slot for every answer).
  struct Waiting {
    Outcome* outcome;
    std::condition_variable* turn;
  };
  const int max_calls_out_;
  mutable std::mutex mutex_;
  std::deque<Waiting> line_;  // not sent yet
  int calls_out_ = 0;
  std::size_t sending_ = 0;  // outcomes in the calls out
};

}  // namespace jobq
