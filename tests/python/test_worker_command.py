"""`python3 -m jobq worker MODULE:APP` as a process against a real jobqd: it runs the app's sync
tasks on threads and its async ones on a loop, serves the queues given, obeys the server's scale and
stop, and on SIGTERM lets the running job finish before it exits 0; ``python3 -m jobq --help``."""

import os
import signal
import subprocess
import sys
import unittest
from pathlib import Path

from support import CLIENT_DIR, ClientTestCase, client_env, unique, wait_until

HERE = Path(__file__).resolve().parent
DEADLINE_S = 30.0


class WorkerCommand(ClientTestCase):
    def setUp(self):
        super().setUp()
        self.queues = [unique("a"), unique("b")]
        self.worker_id = unique("w")

    def start(self, *extra, app="worker_app:app"):
        env = client_env(self.server)
        env["TEST_QUEUES"] = ",".join(self.queues)
        log = open(self.server.dir / f"{self.worker_id}.log", "w+")
        self.addCleanup(log.close)
        proc = subprocess.Popen([sys.executable, "-m", "jobq", "worker", app, "--worker-id", self.worker_id,
                                 "--poll", "1", "--beat", "0.3", *extra],
                                cwd=HERE, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        proc.log = log
        self.addCleanup(lambda: proc.poll() is None and (proc.kill(), proc.wait()))
        return proc

    def log_of(self, proc):
        proc.log.seek(0)
        return proc.log.read()

    def exit_code(self, proc):
        try:
            return proc.wait(DEADLINE_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            self.fail(f"the worker did not exit within {DEADLINE_S} s\n{self.log_of(proc)}")

    def me(self):
        return next((w for w in self.client.workers() if w["id"] == self.worker_id), None)

    def test_sync_tasks_run_on_threads_and_async_ones_on_the_loop_on_the_queues_given(self):
        proc = self.start("--concurrency", "3", "--queues", ",".join(self.queues))
        slow = self.client.submit("slow", {"args": [0.1]}, queue=self.queues[0])
        ping = self.client.submit("ping", {"kwargs": {"n": 5}}, queue=self.queues[1])
        slow_done = self.client.wait(slow.id, DEADLINE_S)
        ping_done = self.client.wait(ping.id, DEADLINE_S)
        self.assertEqual(slow_done.status, "completed", self.log_of(proc))
        self.assertEqual((slow_done.result["pid"], slow_done.result["thread"][:9]), (proc.pid, "jobq-job-"))
        self.assertEqual(ping_done.result, {"n": 5, "pid": proc.pid, "thread": "jobq-asyncio"})
        worker = self.me()
        self.assertEqual((sorted(worker["types"]), sorted(worker["queues"]), worker["concurrency"]),
                         (["ping", "slow"], sorted(self.queues), 3))
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(self.exit_code(proc), 0, self.log_of(proc))

    def test_without_queues_it_serves_those_of_the_tasks(self):
        proc = self.start()
        wait_until(self.me, DEADLINE_S, message="the worker's first beat")
        self.assertEqual(sorted(self.me()["queues"]), sorted(self.queues))
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(self.exit_code(proc), 0, self.log_of(proc))

    def test_it_obeys_the_servers_scale_and_stop(self):
        proc = self.start("--concurrency", "1")
        wait_until(self.me, DEADLINE_S, message="the worker's first beat")
        status, _, _ = self.api.request("POST", f"/workers/{self.worker_id}/scale", {"concurrency": 4})
        self.assertEqual(status, 200)
        wait_until(lambda: self.me()["concurrency"] == 4, DEADLINE_S, message="the worker at concurrency 4")
        status, _, _ = self.api.request("POST", f"/workers/{self.worker_id}/stop")
        self.assertEqual(status, 200)
        self.assertEqual(self.exit_code(proc), 0, self.log_of(proc))
        self.assertIn("server command: stop", self.log_of(proc))

    def test_sigterm_lets_the_running_job_finish_and_the_worker_exits_0(self):
        proc = self.start("--concurrency", "1", "--grace", "20")
        job = self.client.submit("slow", {"args": [1.5]}, queue=self.queues[0])
        wait_until(lambda: self.client.get(job.id).status == "running", DEADLINE_S, message="the job running")
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(self.exit_code(proc), 0, self.log_of(proc))
        done = self.client.get(job.id)
        self.assertEqual((done.status, done.result["pid"]), ("completed", proc.pid), self.log_of(proc))
        self.assertIn(f"worker {self.worker_id} stopped", self.log_of(proc))

    def test_an_app_that_is_not_there_is_named_and_the_command_fails(self):
        proc = self.start(app="worker_app:nothing")
        self.assertNotEqual(self.exit_code(proc), 0)
        self.assertIn("module worker_app has no attribute 'nothing'", self.log_of(proc))



class Usage(unittest.TestCase):
    def run_jobq(self, *args):
        return subprocess.run([sys.executable, "-m", "jobq", *args], cwd=HERE, env=dict(os.environ, PYTHONPATH=str(CLIENT_DIR)),
                              capture_output=True, text=True, timeout=DEADLINE_S)

    def test_help_prints_the_usage_and_exits_0(self):
        for flag in ("--help", "-h"):
            run = self.run_jobq(flag)
            self.assertEqual((run.returncode, run.stderr), (0, ""), flag)
            self.assertTrue(run.stdout.startswith("usage: python3 -m jobq worker MODULE:APP"), run.stdout)

    def test_no_command_or_another_one_prints_the_usage_and_exits_2(self):
        for args in ((), ("work",)):
            run = self.run_jobq(*args)
            self.assertEqual((run.returncode, run.stdout), (2, ""), args)
            self.assertTrue(run.stderr.startswith("usage: python3 -m jobq worker"), run.stderr)


if __name__ == "__main__":
    unittest.main()
