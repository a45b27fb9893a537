// What every command shares: the server's address and key (--url/--key, else JOBQ_URL and
// JOBQ_API_KEY), the client made from them, and the exit code the command chose.
#pragma once

#include <memory>
#include <string>

#include "cli/exit_codes.h"
#include "jobq/client.h"

namespace jobq::cli {

class Session {
 public:
  std::string url;  // empty: $JOBQ_URL, else the client's default
  std::string key;  // empty: $JOBQ_API_KEY
  int exit_code = kOk;

  ClientOptions client_options() const;
  // Made at first use, after the flags are parsed.
  Client& client();

  // Prints "jobq: <what>: <error>" on stderr and sets the exit code for it.
  void fail(const std::string& what, const ApiError& error);
  void fail(ExitCode code, const std::string& message);
  // A local error (a flag's value, a file): "jobq: <field>: <message>", exit code 2.
  void fail(const Error& error);

 private:
  std::unique_ptr<Client> client_;
};

}  // namespace jobq::cli
