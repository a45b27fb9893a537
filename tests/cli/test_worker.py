"""`jobq worker -- COMMAND`: a script that reports progress and succeeds, one that fails, one
cancelled mid-run, one past its timeout, one that ignores SIGTERM; against a real jobqd."""

import hashlib
import os
import shutil
import signal
import tempfile
import time
import unittest
from pathlib import Path

from jobq_cli import OK, REPO, SCRIPTS, CliTestCase, unique, wait_until

KILL_AFTER_S = 1.0


def alive(pid):
    """True while the process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


class Worker(CliTestCase):
    def setUp(self):
        super().setUp()
        self.type = unique("t")
        self.dir = Path(tempfile.mkdtemp(prefix="jobq-worker-test-"))
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)

    def start_worker(self, script, command=None, *flags):
        command = command or ["/bin/sh", str(SCRIPTS / script), str(self.dir)]
        w = self.running("worker", "--type", self.type, "--queue", self.queue, "--kill-after",
                         f"{KILL_AFTER_S}s", *flags, "--", *command, key="worker-key-not-for-children")
        self.addCleanup(self.stop_worker, w)
        w.wait_stderr(f"running `{command[0]}`")
        return w

    def stop_worker(self, w):
        if w.proc.poll() is None:
            self.assertEqual(w.stop(signal.SIGTERM), OK, w.stderr_text())

    def submit(self, payload="null", *flags):
        out = self.ok("submit", self.type, payload, "--queue", self.queue, *flags)
        return out.strip()

    def finished(self, job_id, timeout=20.0):
        def done():
            job = self.api.get(job_id)
            return job if job["status"] in ("completed", "failed", "cancelled") else None
        return wait_until(done, timeout=timeout, message=f"job {job_id} to finish")

    def started_file(self, job_id):
        path = self.dir / f"{job_id}.started"
        wait_until(lambda: path.exists() and path.read_text().strip(), timeout=15.0,
                   message=f"{path} (the script started)")
        return path.read_text().split()

    def test_progress_and_result(self):
        w = self.start_worker("reports_progress.sh")
        job_id = self.submit('{"n": 7}')
        job = self.finished(job_id)
        self.assertEqual(job["status"], "completed", job)
        self.assertEqual(job["result"], {"id": job_id, "type": self.type, "attempt": 1,
                                         "key": "", "payload": {"n": 7}},
                         "the result is the last JSON line; the job's variables are set and the "
                         "worker's key is not passed on")
        # (A completed job's progress reads 100, whatever was reported last.)
        self.assertEqual((job["progress_message"], job["stage"]), ("three quarters", "warming_up"))
        w.wait_stderr(f"job {job_id}: just a log line")
        w.wait_stderr(f"job {job_id}: completed")

    def test_progress_reaches_watchers_as_it_happens(self):
        self.start_worker("waits_for_term.sh")
        job_id = self.submit()
        self.started_file(job_id)
        job = wait_until(lambda: (lambda j: j if j["progress"] == 10 else None)(self.api.get(job_id)),
                         timeout=10.0, message="progress 10 from the running script")
        self.assertEqual((job["status"], job["progress_message"]), ("running", "started"))
        self.ok("cancel", job_id)
        self.assertEqual(self.finished(job_id)["status"], "cancelled")

    def test_failure_carries_the_tail_of_stderr(self):
        self.start_worker("fails.sh")
        job_id = self.submit("null", "--max-attempts", "1")
        job = self.finished(job_id)
        self.assertEqual(job["status"], "failed", job)
        error = job["error"]
        self.assertIn("exit code 3", error["message"])
        self.assertIn("the disk is on fire", error["message"])
        self.assertEqual(error["traceback"], "first problem\nthe disk is on fire\n")
        # The CLI shows it too.
        shown = self.ok("get", job_id)
        self.assertIn("the disk is on fire", shown)

    def test_cancel_mid_run_sends_sigterm(self):
        self.start_worker("waits_for_term.sh")
        job_id = self.submit()
        self.started_file(job_id)
        out = self.ok("cancel", job_id)
        self.assertEqual(out, f"{job_id} running (cancel requested)\n")
        job = self.finished(job_id)
        self.assertEqual(job["status"], "cancelled", job)
        self.assertEqual((self.dir / f"{job_id}.term").read_text(), "term\n",
                         "the script's SIGTERM trap ran")
        self.assertIn("cancelled: the command got SIGTERM", job["error"]["message"])
        self.assertNotIn("SIGKILL", job["error"]["message"])

    def test_timeout_sends_sigterm(self):
        self.start_worker("waits_for_term.sh")
        job_id = self.submit("null", "--timeout", "1500ms", "--max-attempts", "1")
        self.started_file(job_id)
        job = self.finished(job_id, timeout=30.0)
        self.assertEqual(job["status"], "failed", job)
        self.assertIn("timed out", job["error"]["message"])
        wait_until(lambda: (self.dir / f"{job_id}.term").exists(), timeout=10.0,
                   message="the script's SIGTERM trap after the timeout")

    def test_sigterm_ignored_means_sigkill_after_the_grace(self):
        w = self.start_worker("ignores_term.sh")
        job_id = self.submit()
        pids = [int(p) for p in self.started_file(job_id)]
        cancelled_at = time.monotonic()
        self.ok("cancel", job_id)
        job = self.finished(job_id, timeout=30.0)
        waited = time.monotonic() - cancelled_at
        self.assertEqual(job["status"], "cancelled", job)
        self.assertIn("got SIGKILL", job["error"]["message"])
        self.assertGreaterEqual(waited, KILL_AFTER_S, "SIGKILL only after the grace")
        for pid in pids:
            wait_until(lambda: not alive(pid), timeout=10.0,
                       message=f"process {pid} (the script or its sleep) to be gone")
        w.wait_stderr(f"job {job_id}: failed: cancelled")

    def test_sigterm_to_the_worker_stops_it_cleanly(self):
        w = self.start_worker("reports_progress.sh")
        job_id = self.submit()
        self.assertEqual(self.finished(job_id)["status"], "completed")
        self.assertEqual(w.stop(signal.SIGTERM), OK, w.stderr_text())
        self.assertIn("stopped; 1 completed", w.stderr_text())

    def test_the_shell_worker_example(self):
        example = REPO / "examples" / "shell_worker" / "checksum.sh"
        w = self.start_worker(None, [str(example)])
        payload = '{"file":"report.pdf"}'  # compact: as the server hands it out
        job = self.finished(self.submit(payload))
        self.assertEqual(job["status"], "completed", job)
        self.assertEqual(job["result"], {"sha256": hashlib.sha256(payload.encode()).hexdigest(),
                                         "bytes": len(payload)})
        self.assertEqual((job["stage"], job["progress_message"]), ("hashing", f"hashed {len(payload)} bytes"))
        w.wait_stderr(f"job {job['id']}: job {job['id']} (attempt 1) done")
        empty = self.finished(self.submit("null", "--max-attempts", "1"))
        self.assertEqual(empty["status"], "failed")
        self.assertIn("exit code 2: checksum: the payload is empty", empty["error"]["message"])

    def test_concurrency_runs_jobs_side_by_side(self):
        self.start_worker(None, ["/bin/sh", str(SCRIPTS / "waits_for_term.sh"), str(self.dir)],
                          "--concurrency", "2")
        ids = [self.submit() for _ in range(2)]
        for job_id in ids:
            self.started_file(job_id)  # both run at once: neither ends until cancelled
        for job_id in ids:
            self.ok("cancel", job_id)
        for job_id in ids:
            self.assertEqual(self.finished(job_id)["status"], "cancelled")

    def test_a_command_that_cannot_run_fails_the_job_for_good(self):
        self.start_worker(None, ["/nonexistent/command"])
        job = self.finished(self.submit())
        self.assertEqual((job["status"], job["attempt"]), ("failed", 1), "not retried")
        self.assertIn("cannot run /nonexistent/command", job["error"]["message"])

    def test_a_wrong_url_is_said_at_once(self):
        r = self.jobq("--url", "http://127.0.0.1:1", "worker", "--type", "x", "--", "true")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("connect_failed", r.stderr)


if __name__ == "__main__":
    unittest.main()
