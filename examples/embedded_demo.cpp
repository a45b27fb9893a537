// jobq embedded in a program, with no server: jobs on a sqlite file, three worker threads, and
// every event printed as it happens. `make run` runs this until jobqd lands.
#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "jobq/engine.h"
#include "jobq/store.h"
#include "jobq/sweeper.h"

int main(int argc, char** argv) {
  std::string path = argc > 1 ? argv[1] : "./jobq-data/jobq.db";
  jobq::SystemClock clock;
  auto store = jobq::open_store("sqlite://" + path, clock);
  if (!store.ok()) {
    std::fprintf(stderr, "jobq: %s\n", store.error().to_string().c_str());
    return 1;
  }
  jobq::EventBus bus;
  bus.subscribe([](const jobq::Event& e) {
    std::printf("%-16s %s %-8s %-9s attempt %d progress %3.0f%%\n",
                std::string(to_string(e.type)).c_str(), e.job->id.c_str(), e.job->type.c_str(),
                std::string(to_string(e.job->status)).c_str(), e.job->attempt, e.job->progress);
  });
  jobq::Engine engine(**store, clock, bus);
  jobq::Sweeper sweeper(engine, std::chrono::milliseconds(100));

  std::vector<jobq::JobSpec> specs;
  for (int i = 0; i < 6; ++i) {
    jobq::JobSpec spec;
    spec.type = i % 3 == 2 ? "flaky" : "report";
    spec.priority = i % 2 ? 80 : 50;
    spec.payload = "{\"n\":" + std::to_string(i) + "}";
    spec.backoff = jobq::Backoff{100, 2.0, 1000, true};
    if (i == 5) spec.delay_ms = 500;
    specs.push_back(spec);
  }
  if (auto submitted = engine.submit_batch(specs); !submitted.ok()) {
    std::fprintf(stderr, "jobq: %s\n", submitted.error().to_string().c_str());
    return 1;
  }

  std::atomic<int> finished{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 3; ++w) {
    workers.emplace_back([&, w] {
      jobq::LeaseRequest request{.worker_id = "demo-" + std::to_string(w)};
      while (finished < 6) {
        auto jobs = engine.lease_wait(request, 200);
        if (!jobs.ok()) return;
        for (const auto& job : *jobs) {
          for (int step = 1; step <= 4; ++step) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the "work"
            jobq::Progress p{.progress = 25.0 * step, .stage = "step " + std::to_string(step)};
            engine.heartbeat(job.id, job.lease_token, p);
          }
          if (job.type == "flaky" && job.attempt < 2) {
            engine.fail(job.id, job.lease_token, {"flaky failed on its first attempt"});
            continue;
          }
          engine.complete(job.id, job.lease_token, R"({"ok":true})");
          ++finished;
        }
      }
    });
  }
  for (auto& t : workers) t.join();
  std::printf("all 6 jobs completed; the record is in %s\n", path.c_str());
}
