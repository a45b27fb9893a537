#include "client/jobqd_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "jobq/client.h"

extern char** environ;

namespace jobq::testing {

namespace fs = std::filesystem;

namespace {

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
    throw std::runtime_error("no free port");
  close(fd);
  return ntohs(a.sin_port);
}

}  // namespace

JobqdProcess::JobqdProcess(std::vector<std::string> args, std::string store)
    : args_(std::move(args)), store_(std::move(store)) {
  char pattern[] = "/tmp/jobqd-client-XXXXXX";
  if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  for (int attempt = 0; attempt < 3; ++attempt)
    if (start_once()) return;
  std::string tail = log();
  fs::remove_all(dir_);
  throw std::runtime_error("jobqd did not start:\n" + tail);
}

bool JobqdProcess::start_once() {
  port_ = free_port();
  std::vector<std::string> argv = {
      JOBQD, "--listen", "127.0.0.1:" + std::to_string(port_), "--store",
      store_ == "memory" ? "memory:" : "sqlite://" + dir_ + "/jobq.db"};
  argv.insert(argv.end(), args_.begin(), args_.end());
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  std::string log_path = dir_ + "/jobqd.log";
  posix_spawn_file_actions_addopen(&files, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&files, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0644);
  posix_spawn_file_actions_adddup2(&files, 1, 2);
  int rc = posix_spawn(&pid_, JOBQD, &files, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&files);
  if (rc != 0) throw std::runtime_error(std::string("cannot start ") + JOBQD);

  ClientOptions o;
  o.url = url();
  o.connect_timeout = std::chrono::milliseconds(500);
  o.request_timeout = std::chrono::milliseconds(1000);
  Client probe(o);
  bool exited = false;
  bool up = eventually(
      [&] {
        int status;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
          exited = true;
          return true;
        }
        auto health = probe.call("GET", "/health");
        return health.ok();
      },
      std::chrono::seconds(20));
  if (up && !exited) return true;
  if (!exited) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  pid_ = -1;
  return false;
}

std::string JobqdProcess::log() const {
  std::ifstream in(dir_ + "/jobqd.log");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int JobqdProcess::stop() {
  if (pid_ < 0) return 0;
  kill(pid_, SIGTERM);
  int status = 0;
  bool gone =
      eventually([&] { return waitpid(pid_, &status, WNOHANG) == pid_; }, std::chrono::seconds(15));
  if (!gone) {
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return -1;
  }
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

JobqdProcess::~JobqdProcess() {
  stop();
  fs::remove_all(dir_);
}

}  // namespace jobq::testing
