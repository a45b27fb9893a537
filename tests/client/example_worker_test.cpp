// examples/cpp_worker run as its users run it: against a real jobqd, configured by JOBQ_URL,
// stopped by SIGTERM.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include "client/jobqd_process.h"
#include "jobq/client.h"

extern char** environ;

namespace jobq {
namespace {

using namespace std::chrono_literals;

TEST(ExampleCppWorker, ServesReportsAndStopsOnSigterm) {
  testing::JobqdProcess server({}, "memory");
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) env.emplace_back(*e);
  env.push_back("JOBQ_URL=" + server.url());
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string path = CPP_WORKER;
  char* argv[] = {path.data(), nullptr};
  pid_t pid;
  ASSERT_EQ(posix_spawn(&pid, CPP_WORKER, nullptr, nullptr, argv, envp.data()), 0);

  ClientOptions o;
  o.url = server.url();
  Client client(o);
  JobSpec spec;
  spec.type = "generate_report";
  spec.payload = R"({"user":42})";
  auto job = client.submit(spec);
  ASSERT_TRUE(job.ok()) << job.error().to_string();
  auto done = client.wait(job->job.id, 30s);
  ASSERT_TRUE(done.ok()) << done.error().to_string();
  EXPECT_EQ(done->status, JobStatus::completed);
  EXPECT_EQ(done->result, R"({"url":"/reports/)" + job->job.id + R"(.pdf","input":{"user":42}})");
  EXPECT_EQ(done->stage, "uploading");

  ASSERT_EQ(kill(pid, SIGTERM), 0);
  int status = 0;
  bool exited = testing::eventually([&] { return waitpid(pid, &status, WNOHANG) == pid; }, 15s);
  if (!exited) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  ASSERT_TRUE(exited) << "the example did not stop on SIGTERM";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

}  // namespace
}  // namespace jobq
