// The real jobqd for client tests: started on a free loopback port with a temporary data
// directory, stopped with SIGTERM (and checked to exit 0) at the end.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "support/eventually.h"

namespace jobq::testing {

class JobqdProcess {
 public:
  // store: "sqlite" (a file in the data directory) or "memory". args: extra flags.
  explicit JobqdProcess(std::vector<std::string> args = {}, std::string store = "sqlite");
  ~JobqdProcess();
  JobqdProcess(const JobqdProcess&) = delete;
  JobqdProcess& operator=(const JobqdProcess&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  const std::string& dir() const { return dir_; }
  std::string log() const;
  // SIGTERM, then waits; returns the exit code (-1 if it had to be killed).
  int stop();

 private:
  bool start_once();
  std::vector<std::string> args_;
  std::string store_;
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace jobq::testing
