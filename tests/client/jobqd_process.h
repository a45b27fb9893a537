// The real jobqd for client tests: started on a free loopback port with a temporary data
// directory, stopped with SIGTERM (and checked to exit 0) at the end.
#pragma once

#include <string>
#include <vector>

#include "support/server_child.h"
#include "support/temp_dir.h"

namespace jobq::testing {

class JobqdProcess {
 public:
  // store: "sqlite" (a file in the data directory) or "memory". args: extra flags.
  explicit JobqdProcess(std::vector<std::string> args = {}, std::string store = "sqlite");
  ~JobqdProcess() { stop(); }
  JobqdProcess(const JobqdProcess&) = delete;
  JobqdProcess& operator=(const JobqdProcess&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }
  int port() const { return child_.port(); }
  std::string dir() const { return dir_.path().string(); }
  std::string log() const { return read_text(dir_.path() / "jobqd.log"); }
  // SIGTERM, then waits; returns the exit code (-1 if it had to be killed).
  int stop();

 private:
  TempDir dir_{"jobqd-client"};
  ServerChild child_;
};

}  // namespace jobq::testing
