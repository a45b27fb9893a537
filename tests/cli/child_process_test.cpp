// The child runner of `jobq worker`, with real processes: output, stdin, stops, SIGKILL.
#include "cli/child_process.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>

#include "cli/exec_job.h"

namespace jobq::cli {
namespace {

ChildCommand sh(std::string script, std::string input = {}) {
  return {{"/bin/sh", "-c", std::move(script)}, {"PATH=/usr/bin:/bin"}, std::move(input)};
}

TEST(ChildProcess, LinesOfStdoutStdinAndExitCode) {
  std::vector<std::string> lines;
  ChildWatch w;
  w.on_stdout_line = [&](std::string_view l) { lines.emplace_back(l); };
  auto out = run_child(sh("cat; echo; echo two; printf three; echo oops >&2; exit 4", "one"), w);
  ASSERT_TRUE(out.ok()) << out.error().to_string();
  EXPECT_EQ(lines, (std::vector<std::string>{"one", "two", "three"}));
  EXPECT_EQ(out->exit_code, 4);
  EXPECT_EQ(out->stderr_tail, "oops\n");
  EXPECT_FALSE(out->stopped);
}

TEST(ChildProcess, StderrKeepsOnlyTheTail) {
  ChildWatch w;
  w.stderr_tail_bytes = 10;
  auto out = run_child(sh("i=0; while [ $i -lt 100 ]; do echo line$i >&2; i=$((i+1)); done"), w);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->stderr_tail, "98\nline99\n");
}

TEST(ChildProcess, AStopSendsSigtermToTheGroup) {
  std::atomic<bool> stop{false};
  ChildWatch w;
  w.on_stdout_line = [&](std::string_view l) { stop = l == "ready"; };
  w.stop_requested = [&] { return stop.load(); };
  // The background sleep holds stdout open: unless the group gets the signal, this never ends.
  auto out = run_child(sh("sleep 60 & echo ready; wait"), w);
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->stopped);
  EXPECT_FALSE(out->killed);
  EXPECT_EQ(out->signal, SIGTERM);
}

TEST(ChildProcess, SigkillAfterTheGraceWhenSigtermIsIgnored) {
  std::atomic<bool> stop{false};
  ChildWatch w;
  w.grace = std::chrono::milliseconds(300);
  w.on_stdout_line = [&](std::string_view l) { stop = l == "ready"; };
  w.stop_requested = [&] { return stop.load(); };
  auto out = run_child(sh("trap '' TERM; echo ready; sleep 60"), w);
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->stopped);
  EXPECT_TRUE(out->killed);
  EXPECT_EQ(out->signal, SIGKILL);
  EXPECT_GE(out->ran, std::chrono::milliseconds(300));
}

TEST(ChildProcess, NoDescriptorsButTheThreeAreInherited) {
  std::vector<std::string> lines;
  ChildWatch w;
  w.on_stdout_line = [&](std::string_view l) { lines.emplace_back(l); };
  auto out = run_child({{"/bin/ls", "/proc/self/fd"}, {}, {}}, w);
  ASSERT_TRUE(out.ok());
  // 0, 1, 2, and the directory ls itself opened to list them.
  EXPECT_EQ(lines, (std::vector<std::string>{"0", "1", "2", "3"}));
}

TEST(ChildProcess, AMissingCommandIsAnErrorNamingIt) {
  auto out = run_child({{"no-such-command-jobq"}, {"PATH=/usr/bin:/bin"}, {}}, {});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message().find("no-such-command-jobq"), std::string::npos);
}

TEST(ChildEnvironment, JobVariablesSetAndTheKeyLeftOut) {
  Job job;
  job.id = "id-1";
  job.type = "resize";
  job.attempt = 2;
  auto env = child_environment({"HOME=/h", "JOBQ_API_KEY=secret", "JOBQ_JOB_ID=old"}, job);
  EXPECT_EQ(env, (std::vector<std::string>{"HOME=/h", "JOBQ_JOB_ID=id-1", "JOBQ_JOB_TYPE=resize",
                                           "JOBQ_ATTEMPT=2"}));
}

}  // namespace
}  // namespace jobq::cli
