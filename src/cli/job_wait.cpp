#include "cli/job_wait.h"

#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <stop_token>
#include <thread>

#include "cli/output.h"
#include "cli/progress_view.h"

namespace jobq::cli {
namespace {

ProgressState state_of(const Job& job) {
  // A completed job is done, whatever its worker last reported.
  double progress = job.status == JobStatus::completed ? 100 : job.progress;
  return {status_text(job), progress, job.stage, job.progress_message};
}

// Asks `stop` after `timeout`, unless it is destroyed first.
class Deadline {
 public:
  Deadline(std::stop_source stop, std::optional<std::chrono::milliseconds> timeout) {
    if (!timeout) return;
    thread_ = std::jthread([this, stop, timeout](std::stop_token quit) mutable {
      std::unique_lock lock(mutex_);
      changed_.wait_for(lock, quit, *timeout, [] { return false; });
      if (quit.stop_requested()) return;
      passed_ = true;
      stop.request_stop();
    });
  }
  bool passed() {
    std::lock_guard lock(mutex_);
    return passed_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable_any changed_;
  bool passed_ = false;
  std::jthread thread_;  // last: joined before the members it uses go
};

}  // namespace

void wait_for_job(Session& session, const std::string& id, const WaitOptions& options) {
  std::optional<ProgressView> view;
  if (!options.json) view.emplace(stdout, is_terminal(stdout), terminal_width(stdout));
  std::optional<Job> last;
  std::stop_source stop;
  Deadline deadline(stop, options.timeout);
  ApiStatus watched = session.client().watch(
      id,
      [&](const JobEvent& e) {
        last = e.job;
        if (view) view->show(state_of(e.job));
        return true;
      },
      stop.get_token());
  bool gave_up = deadline.passed();
  // Given up, a stream that broke, or one that ended on `purged`: the job as it is now.
  if (!last || !is_terminal(last->status)) {
    auto job = session.client().get(id);
    if (!job) {
      if (view && last) view->finish(state_of(*last));
      return session.fail("wait for " + id, watched.ok() ? job.error() : watched);
    }
    last = *job;
  }
  if (view) view->finish(state_of(*last));
  if (options.json) print_job_json(*last);
  switch (last->status) {
    case JobStatus::completed:
      if (!options.json) std::printf("%s\n", last->result.empty() ? "null" : last->result.c_str());
      session.exit_code = kOk;
      return;
    case JobStatus::failed: {
      const JobError* e = last->error();
      return session.fail(kJobFailed,
                          "job " + id + " failed: " + (e ? e->message : "no error recorded"));
    }
    case JobStatus::cancelled:
      return session.fail(kJobCancelled, "job " + id + " was cancelled");
    default:
      if (!gave_up && !watched.ok()) return session.fail("watch " + id, watched);
      return session.fail(kWaitTimedOut,
                          "gave up waiting for job " + id + ", which is " + status_text(*last));
  }
}

}  // namespace jobq::cli
