#include "client/jobqd_process.h"

#include <memory>
#include <stdexcept>

#include "jobq/client.h"

namespace jobq::testing {

JobqdProcess::JobqdProcess(std::vector<std::string> args, std::string store) {
  args.insert(args.begin(),
              {"--store", store == "memory" ? "memory:" : "sqlite://" + dir_.file("jobq.db")});
  std::unique_ptr<Client> probe;  // one per port tried
  auto answers = [&probe](int port) {
    std::string url = "http://127.0.0.1:" + std::to_string(port);
    if (!probe || probe->options().url != url) {
      ClientOptions o;
      o.url = url;
      o.connect_timeout = std::chrono::milliseconds(500);
      o.request_timeout = std::chrono::milliseconds(1000);
      probe = std::make_unique<Client>(o);
    }
    return probe->call("GET", "/health").ok();
  };
  std::string why =
      child_.start(JOBQD, args, dir_.path() / "jobqd.log", answers, std::chrono::seconds(20));
  if (!why.empty()) throw std::runtime_error("jobqd did not start: " + why + "\n" + log());
}

int JobqdProcess::stop() {
  if (child_.pid() < 0) return 0;
  auto status = child_.stop(std::chrono::seconds(15));
  if (!status) return -1;
  return WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
}

}  // namespace jobq::testing
