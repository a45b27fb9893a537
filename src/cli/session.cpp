#include "cli/session.h"

#include <cstdio>

namespace jobq::cli {

ClientOptions Session::client_options() const {
  ClientOptions options = ClientOptions::from_env();
  if (!url.empty()) options.url = url;
  if (!key.empty()) options.api_key = key;
  return options;
}

Client& Session::client() {
  if (!client_) client_ = std::make_unique<Client>(client_options());
  return *client_;
}

void Session::fail(const std::string& what, const ApiError& error) {
  std::string text = error.to_string();
  if (error.code() == "connect_failed")
    text += " (is jobqd running at " + client_options().url + "? see --url)";
  std::fprintf(stderr, "jobq: %s: %s\n", what.c_str(), text.c_str());
  exit_code = exit_code_for(error);
}

void Session::fail(ExitCode code, const std::string& message) {
  std::fprintf(stderr, "jobq: %s\n", message.c_str());
  exit_code = code;
}

void Session::fail(const Error& error) {
  std::string prefix = error.field().empty() ? "" : error.field() + ": ";
  fail(kUsage, prefix + error.message());
}

}  // namespace jobq::cli
