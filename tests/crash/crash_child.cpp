// The process the crash test kills: submits, leases and completes jobs on a sqlite store as fast
// as it can, and logs each answered submit ("S id") and completion ("C id") to a file with one
// write(2) per line, so that what it logged survives its SIGKILL.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <thread>

#include "jobq/engine.h"
#include "jobq/store.h"

namespace {

void log_line(int fd, char kind, const std::string& id) {
  std::string line = std::string(1, kind) + " " + id + "\n";
  if (write(fd, line.data(), line.size()) != ssize_t(line.size())) _exit(3);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: crash_child DB_PATH LOG_PATH\n");
    return 2;
  }
  int fd = open(argv[2], O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) return 2;
  jobq::SystemClock clock;
  auto store = jobq::open_store(std::string("sqlite://") + argv[1], clock);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.error().to_string().c_str());
    return 2;
  }
  jobq::EventBus bus;
  jobq::Engine engine(**store, clock, bus);

  std::thread producer([&] {
    for (int round = 0;; ++round) {
      std::vector<jobq::JobSpec> batch(round % 2 ? 10 : 1);
      for (auto& spec : batch) {
        spec.type = "crash";
        spec.priority = round % 100;
        spec.payload = R"({"round":)" + std::to_string(round) + "}";
      }
      auto out = engine.submit_batch(batch);
      if (!out.ok()) _exit(4);
      for (const auto& s : *out) log_line(fd, 'S', s.job.id);
    }
  });
  jobq::LeaseRequest request;
  request.worker_id = "crash-child";
  request.max_jobs = 8;
  for (;;) {
    auto jobs = engine.lease_wait(request, 100);
    if (!jobs.ok()) _exit(5);
    for (const auto& job : *jobs) {
      if (!engine.complete(job.id, job.lease_token, "true").ok()) _exit(6);
      log_line(fd, 'C', job.id);
    }
  }
}
