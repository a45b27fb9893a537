// A jobq worker in C++: serves `generate_report` jobs from a jobqd server.
//
//   JOBQ_URL=http://127.0.0.1:8080 ./cpp_worker [concurrency]
//
// Each job walks through a few stages, reporting progress as it goes, and gives up early when the
// job is cancelled. SIGTERM or ^C stops leasing, lets running reports finish for up to 10 s, and
// hands the rest back for retry.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "jobq/client.h"
#include "jobq/worker.h"

namespace {

std::string generate_report(jobq::JobContext& job) {
  const char* stages[] = {"loading", "rendering", "uploading"};
  for (int i = 0; i < 3; ++i) {
    job.stage(stages[i]);
    job.progress(i * 33.0, std::string("step ") + std::to_string(i + 1) + " of 3");
    // Stand-in for real work: wait a second, or less if the job is cancelled meanwhile.
    if (job.wait_cancelled(std::chrono::seconds(1)))
      throw jobq::JobFailure(std::string("stopped: ") + to_string(job.stop_reason()));
    if (job.soft_timeout_passed()) std::fprintf(stderr, "%s: running late\n", job.id().c_str());
  }
  return "{\"url\":\"/reports/" + job.id() + ".pdf\",\"input\":" + job.payload() + "}";
}

}  // namespace

int main(int argc, char** argv) {
  jobq::WorkerOptions options;
  options.concurrency = argc > 1 ? std::atoi(argv[1]) : 2;
  jobq::Client client;  // JOBQ_URL and JOBQ_API_KEY
  auto source = jobq::remote_job_source(client);
  jobq::Worker worker(*source, options);
  worker.handle("generate_report", generate_report);
  jobq::StopOnSignals signals(worker);
  std::printf("worker %s serving generate_report from %s\n", worker.id().c_str(),
              client.options().url.c_str());
  if (jobq::Status s = worker.run(); !s.ok()) {
    std::fprintf(stderr, "cpp_worker: %s\n", s.to_string().c_str());
    return 1;
  }
  jobq::WorkerCounters c = worker.counters();
  std::printf("stopped: %llu completed, %llu failed, %llu handed back\n",
              static_cast<unsigned long long>(c.completed),
              static_cast<unsigned long long>(c.failed),
              static_cast<unsigned long long>(c.handed_back));
  return 0;
}
