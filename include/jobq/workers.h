// What a worker tells the server of itself, and what the server tells it to do
// (POST /api/v1/workers/{id}/beat): shared by the SDK, which sends beats, and the server's
// worker registry, which keeps them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace jobq {

// A worker's presence report.
struct WorkerBeat {
  std::string id;
  std::vector<std::string> types;
  std::vector<std::string> queues;
  int concurrency = 1;
  int running = 0;
  std::string host;
  std::int64_t pid = 0;
  std::string version;
};

enum class WorkerCommand { run, quiet, stop };

// The server's answer to a beat.
struct WorkerOrders {
  WorkerCommand command = WorkerCommand::run;
  int concurrency = 1;
};

}  // namespace jobq
