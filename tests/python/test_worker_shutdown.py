"""SIGTERM to a worker process: it leases no more, lets running jobs finish within the grace period,
hands back what is still running after it, and loses no job."""

import signal
import subprocess
import sys
import unittest
from pathlib import Path

from support import ClientTestCase, client_env, wait_until

HERE = Path(__file__).resolve().parent
DEADLINE_S = 30.0
NO_BACKOFF = {"initial_ms": 0, "factor": 1, "max_ms": 0, "jitter": False}


class Shutdown(ClientTestCase):
    def start_process(self, concurrency=1, grace_s=20.0, fast=False):
        env = client_env(self.server)
        if fast:
            env["JOBQ_TEST_FAST"] = "1"
        log = open(self.server.dir / f"worker-{len(self._procs)}.log", "w+")
        self.addCleanup(log.close)
        proc = subprocess.Popen([sys.executable, str(HERE / "sleepy_worker.py"), self.queue, str(concurrency),
                                 str(grace_s)], env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        self._procs.append((proc, log))
        self.addCleanup(lambda: proc.poll() is None and (proc.kill(), proc.wait()))
        return proc

    def setUp(self):
        super().setUp()
        self._procs = []

    def log_of(self, proc):
        for p, log in self._procs:
            if p is proc:
                log.seek(0)
                return log.read()
        return ""

    def exits_cleanly(self, proc):
        try:
            code = proc.wait(DEADLINE_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            self.fail(f"the worker did not exit within {DEADLINE_S} s\n{self.log_of(proc)}")
        self.assertEqual(code, 0, self.log_of(proc))
        self.assertIn("worker returned", self.log_of(proc))

    def a_successor_completes(self, job_id):
        """A new worker process runs the job the stopped one left queued to completion, then exits
        cleanly on SIGTERM."""
        successor = self.start_process(fast=True)
        self.assertEqual(self.client.wait(job_id, DEADLINE_S).status, "completed")
        successor.send_signal(signal.SIGTERM)
        self.exits_cleanly(successor)

    def running(self, job_id):
        return wait_until(lambda: self.client.get(job_id).status == "running", DEADLINE_S,
                          message=f"job {job_id} running")

    def test_the_running_job_finishes_and_the_queued_one_stays_for_the_next_worker(self):
        proc = self.start_process(concurrency=1, grace_s=20)
        first = self.client.submit("sleep", {"seconds": 1.5}, queue=self.queue)
        second = self.client.submit("sleep", {"seconds": 0.1}, queue=self.queue)
        self.running(first.id)
        proc.send_signal(signal.SIGTERM)
        self.exits_cleanly(proc)

        done = self.client.get(first.id)
        self.assertEqual((done.status, done.result), ("completed", {"pid": proc.pid}), self.log_of(proc))
        waiting = self.client.get(second.id)
        self.assertEqual((waiting.status, waiting.attempt), ("queued", 0))

        self.a_successor_completes(second.id)

    def test_a_job_still_running_after_the_grace_period_is_handed_back_for_retry(self):
        proc = self.start_process(concurrency=2, grace_s=0.5)
        quick = self.client.submit("sleep", {"seconds": 0.2}, queue=self.queue)
        stuck = self.client.submit("sleep", {"seconds": 120}, queue=self.queue, backoff=NO_BACKOFF)
        self.running(stuck.id)
        self.assertEqual(self.client.wait(quick.id, DEADLINE_S).status, "completed")
        proc.send_signal(signal.SIGTERM)
        self.exits_cleanly(proc)

        back = self.client.get(stuck.id)
        self.assertEqual((back.status, back.attempt), ("queued", 1), self.log_of(proc))
        self.assertEqual(back.errors[0]["message"], "the worker shut down before the job finished")

        self.a_successor_completes(stuck.id)

    def test_a_second_signal_ends_the_grace_period_at_once(self):
        proc = self.start_process(concurrency=1, grace_s=600)
        stuck = self.client.submit("sleep", {"seconds": 120}, queue=self.queue, backoff=NO_BACKOFF)
        self.running(stuck.id)
        proc.send_signal(signal.SIGTERM)
        wait_until(lambda: "shutting down" in self.log_of(proc), DEADLINE_S, message="the first signal seen")
        proc.send_signal(signal.SIGINT)
        self.exits_cleanly(proc)
        self.assertEqual(self.client.get(stuck.id).status, "queued")


if __name__ == "__main__":
    unittest.main()
