#include "cli/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>

namespace jobq::cli {
namespace {

using Clock = std::chrono::steady_clock;

// A line longer than this is handed over in pieces rather than held without bound.
constexpr std::size_t kMaxLine = 8 << 20;
// After the child exits, what it started may still hold its pipes open; they get this long to
// finish writing before the rest of the group is killed.
constexpr std::chrono::milliseconds kDrainAfterExit{500};

struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { close(); }
  void close() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

Error os_error(const std::string& what) {
  return Error(ErrorCode::internal, what + ": " + std::strerror(errno));
}

Status make_pipe(Fd& read_end, Fd& write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return os_error("pipe");
  read_end.fd = fds[0];
  write_end.fd = fds[1];
  return {};
}

void set_nonblocking(int fd) {
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

class Spawn {
 public:
  Spawn() {
    posix_spawn_file_actions_init(&actions_);
    posix_spawnattr_init(&attr_);
  }
  ~Spawn() {
    posix_spawn_file_actions_destroy(&actions_);
    posix_spawnattr_destroy(&attr_);
  }
  posix_spawn_file_actions_t actions_;
  posix_spawnattr_t attr_;
};

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (const auto& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace

Result<ChildOutcome> run_child(const ChildCommand& command, const ChildWatch& watch) {
  if (command.argv.empty()) return Error::invalid("command", "no command to run");
  Fd in_read, in_write, out_read, out_write, err_read, err_write;
  for (auto [r, w] :
       {std::pair{&in_read, &in_write}, {&out_read, &out_write}, {&err_read, &err_write}})
    if (Status s = make_pipe(*r, *w); !s.ok()) return s;

  Spawn spawn;
  posix_spawn_file_actions_adddup2(&spawn.actions_, in_read.fd, 0);
  posix_spawn_file_actions_adddup2(&spawn.actions_, out_write.fd, 1);
  posix_spawn_file_actions_adddup2(&spawn.actions_, err_write.fd, 2);
  // The worker's sockets to the server, and anything else it holds, stay out of the child.
  posix_spawn_file_actions_addclosefrom_np(&spawn.actions_, 3);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&spawn.attr_, &none);
  posix_spawnattr_setsigdefault(&spawn.attr_, &all);
  posix_spawnattr_setpgroup(&spawn.attr_, 0);
  posix_spawnattr_setflags(&spawn.attr_,
                           POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);

  auto argv = c_strings(command.argv);
  auto envp = c_strings(command.env);
  pid_t pid = -1;
  Clock::time_point started = Clock::now();
  if (int rc =
          ::posix_spawnp(&pid, argv[0], &spawn.actions_, &spawn.attr_, argv.data(), envp.data());
      rc != 0)
    return Error::invalid("command", "cannot run " + command.argv[0] + ": " + std::strerror(rc));
  // Should this function return early (an error from poll or waitpid), the child must not be left
  // running or unreaped.
  bool reaped = false;
  struct Reaper {
    pid_t pid;
    const bool& reaped;
    ~Reaper() {
      if (reaped) return;
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  } reaper{pid, reaped};
  in_read.close();
  out_write.close();
  err_write.close();
  set_nonblocking(in_write.fd);
  set_nonblocking(out_read.fd);
  set_nonblocking(err_read.fd);

  ChildOutcome outcome;
  std::size_t written = 0;
  std::string line;
  std::string tail;
  bool exited = false;
  Clock::time_point exited_at{}, kill_at{};
  if (command.input.empty()) in_write.close();

  auto stop = [&] {
    outcome.stopped = true;
    ::kill(-pid, SIGTERM);
    kill_at = Clock::now() + watch.grace;
  };
  auto take_lines = [&](bool all) {
    std::size_t start = 0;
    for (std::size_t nl; (nl = line.find('\n', start)) != std::string::npos; start = nl + 1) {
      std::string_view one(line.data() + start, nl - start);
      if (!one.empty() && one.back() == '\r') one.remove_suffix(1);
      if (watch.on_stdout_line) watch.on_stdout_line(one);
    }
    line.erase(0, start);
    if ((all && !line.empty()) || line.size() > kMaxLine) {
      if (watch.on_stdout_line) watch.on_stdout_line(line);
      line.clear();
    }
  };

  for (;;) {
    pollfd fds[3];
    int n = 0;
    if (in_write.fd >= 0) fds[n++] = {in_write.fd, POLLOUT, 0};
    if (out_read.fd >= 0) fds[n++] = {out_read.fd, POLLIN, 0};
    if (err_read.fd >= 0) fds[n++] = {err_read.fd, POLLIN, 0};
    auto wait = watch.poll_interval;
    if (n > 0 && ::poll(fds, n, static_cast<int>(wait.count())) < 0 && errno != EINTR)
      return os_error("poll");
    if (n == 0 && !exited) ::poll(nullptr, 0, static_cast<int>(wait.count()));

    if (in_write.fd >= 0) {
      ssize_t k =
          ::write(in_write.fd, command.input.data() + written, command.input.size() - written);
      if (k > 0) written += static_cast<std::size_t>(k);
      // EPIPE: the child does not read its stdin, which is its right.
      if ((k < 0 && errno != EAGAIN && errno != EINTR) || written == command.input.size())
        in_write.close();
    }
    char buf[65536];
    while (out_read.fd >= 0) {
      ssize_t k = ::read(out_read.fd, buf, sizeof buf);
      if (k > 0) {
        line.append(buf, static_cast<std::size_t>(k));
        take_lines(false);
      } else if (k == 0 || (errno != EAGAIN && errno != EINTR)) {
        out_read.close();
      } else {
        break;
      }
    }
    while (err_read.fd >= 0) {
      ssize_t k = ::read(err_read.fd, buf, sizeof buf);
      if (k > 0) {
        tail.append(buf, static_cast<std::size_t>(k));
        if (tail.size() > 2 * watch.stderr_tail_bytes)
          tail.erase(0, tail.size() - watch.stderr_tail_bytes);
      } else if (k == 0 || (errno != EAGAIN && errno != EINTR)) {
        err_read.close();
      } else {
        break;
      }
    }

    auto now = Clock::now();
    if (!exited) {
      int status = 0;
      pid_t r = ::waitpid(pid, &status, WNOHANG);
      if (r == pid) {
        exited = reaped = true;
        exited_at = now;
        outcome.ran = std::chrono::duration_cast<std::chrono::milliseconds>(now - started);
        if (WIFEXITED(status)) outcome.exit_code = WEXITSTATUS(status);
        if (WIFSIGNALED(status)) outcome.signal = WTERMSIG(status);
      } else if (r < 0 && errno != EINTR) {
        return os_error("waitpid");
      }
    }
    if (!exited) {
      if (!outcome.stopped) {
        if (watch.stop_requested && watch.stop_requested()) stop();
      } else if (!outcome.killed && now >= kill_at) {
        ::kill(-pid, SIGKILL);
        outcome.killed = true;
      }
      continue;
    }
    bool drained = out_read.fd < 0 && err_read.fd < 0;
    if (drained || now - exited_at >= kDrainAfterExit) {
      // Whatever the child left behind in its group goes with it.
      ::kill(-pid, SIGKILL);
      break;
    }
  }
  take_lines(true);
  if (tail.size() > watch.stderr_tail_bytes) tail.erase(0, tail.size() - watch.stderr_tail_bytes);
  // The cut may have split a character: the tail starts at the next whole one.
  std::size_t first = 0;
  while (first < tail.size() && (static_cast<unsigned char>(tail[first]) & 0xC0) == 0x80) ++first;
  tail.erase(0, first);
  outcome.stderr_tail = std::move(tail);
  return outcome;
}

std::string describe_end(const ChildOutcome& outcome) {
  if (outcome.signal != 0) {
    const char* name = ::strsignal(outcome.signal);
    return "signal " + std::to_string(outcome.signal) +
           (name ? std::string(" (") + name + ")" : "");
  }
  return "exit code " + std::to_string(outcome.exit_code);
}

}  // namespace jobq::cli
