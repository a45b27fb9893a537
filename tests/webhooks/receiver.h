// A webhook receiver for the tests: an HTTP server on 127.0.0.1 and a free port, on a thread of
// its own, that records every request and gives each the same answer, or none at all. It stops,
// and drops any connection it holds, when destroyed.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace jobq::webhooks::testing {

struct ReceiverAnswer {
  int status = 200;
  std::string body = "ok";
  std::vector<std::pair<std::string, std::string>> headers;
  bool never_answer = false;  // read the request, then hold the connection open, silent
};

struct ReceivedRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

class Receiver {
 public:
  explicit Receiver(ReceiverAnswer answer = {});
  ~Receiver();
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;

  std::uint16_t port() const;
  std::string url(const std::string& path = "/hook") const;  // http://127.0.0.1:PORT/hook
  int connections() const;                                   // accepted so far
  std::vector<ReceivedRequest> requests() const;             // read in full so far

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace jobq::webhooks::testing
