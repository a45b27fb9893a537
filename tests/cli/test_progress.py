"""`jobq submit --wait`: a bar redrawn in place on a terminal (a pty), plain lines when stdout is
a pipe; the outcome as the exit code."""

import json
import os
import pty
import select
import subprocess
import threading
import time
import unittest

from jobq_cli import (JOB_CANCELLED, JOB_FAILED, JOBQ, OK, WAIT_TIMED_OUT, CliTestCase, jobq_env,
                      wait_until)


class PtyProcess:
    """jobq with its stdout on a pseudo-terminal of 100 columns; everything it writes is kept."""

    def __init__(self, args, env):
        master, slave = pty.openpty()
        # 100 columns, so the bar's line is cut predictably.
        import fcntl, struct, termios
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
        self.proc = subprocess.Popen([JOBQ, *args], stdin=subprocess.DEVNULL, stdout=slave,
                                     stderr=subprocess.PIPE, env=env)
        os.close(slave)
        self.master = master
        self.data = b""
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        while True:
            try:
                chunk = os.read(self.master, 4096)
            except OSError:  # EIO: the other side is closed
                return
            if not chunk:
                return
            with self.lock:
                self.data += chunk

    def text(self):
        with self.lock:
            return self.data.decode(errors="replace")

    def wait_text(self, needle, timeout=15.0):
        return wait_until(lambda: needle in self.text(), timeout=timeout,
                          message=f"{needle!r} on the terminal; so far {self.text()!r}")

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        self.reader.join(timeout=5)
        os.close(self.master)
        self.proc.stderr.close()


class SubmitWait(CliTestCase):
    def drive(self, job_id):
        """Plays the worker: leases the job and reports progress 40 at stage rendering."""
        leased = self.api.lease_one("w", queues=[self.queue], wait_ms=10000)
        self.assertEqual(leased["id"], job_id)
        self.api.progress(job_id, leased["lease_token"], progress=40, stage="rendering",
                          progress_message="frame 2")
        return leased["lease_token"]

    def test_bar_on_a_terminal(self):
        p = PtyProcess(["submit", "render", '{"n":1}', "--queue", self.queue, "--wait"],
                       jobq_env(self.server))
        self.addCleanup(p.close)
        p.wait_text("queued")  # the snapshot: watching has begun
        job_id = p.text().splitlines()[0].strip()
        token = self.drive(job_id)
        p.wait_text("[############..................]  40%  running  rendering: frame 2")
        self.api.complete(job_id, token, result={"url": "/r/1"})
        self.assertEqual(p.proc.wait(timeout=15), OK, p.proc.stderr.read())
        p.reader.join(timeout=5)
        text = p.text()
        self.assertIn("\r\x1b[2K[", text, "the bar is redrawn in place")
        self.assertIn("[##############################] 100%  completed  rendering: frame 2\r\n",
                      text, "the finished bar ends its line")
        self.assertTrue(text.endswith('{"url":"/r/1"}\r\n'), repr(text[-200:]))

    def test_plain_lines_when_not_a_terminal(self):
        p = self.running("submit", "render", "--queue", self.queue, "--wait")
        p.wait_stdout(lambda l: l == "queued 0%")
        job_id = p.stdout_lines()[0]
        token = self.drive(job_id)
        p.wait_stdout(lambda l: l == "running 40% rendering: frame 2")
        self.api.complete(job_id, token, result={"url": "/r/1"})
        self.assertEqual(p.wait_exit(), OK, p.stderr_text())
        lines = p.stdout_lines()
        self.assertEqual(lines[0], job_id)
        self.assertEqual(lines[-2:], ["completed 100% rendering: frame 2", '{"url":"/r/1"}'])
        for line in lines:
            self.assertNotIn("\x1b", line, "no control codes off a terminal")
            self.assertNotIn("\r", line)
        # One line per change, never the same twice in a row.
        self.assertEqual(len(lines), len(set(lines)), lines)

    def test_failed_job_exits_1(self):
        p = self.running("submit", "render", "--queue", self.queue, "--max-attempts", "1", "--wait")
        p.wait_stdout(lambda l: l.startswith("queued"))
        job_id = p.stdout_lines()[0]
        token = self.drive(job_id)
        self.api.fail(job_id, token, error="out of paint", retryable=False)
        self.assertEqual(p.wait_exit(), JOB_FAILED)
        self.assertIn(f"job {job_id} failed: out of paint", p.stderr_text())

    def test_cancelled_job_exits_6(self):
        p = self.running("submit", "render", "--queue", self.queue, "--wait")
        p.wait_stdout(lambda l: l.startswith("queued"))
        job_id = p.stdout_lines()[0]
        self.ok("cancel", job_id)
        self.assertEqual(p.wait_exit(), JOB_CANCELLED)
        self.assertIn("was cancelled", p.stderr_text())
        self.assertEqual(p.stdout_lines()[-1], "cancelled 0%")

    def test_wait_timeout_exits_8(self):
        started = time.monotonic()
        r = self.jobq("submit", "render", "--queue", self.queue, "--wait", "--wait-timeout", "500ms")
        self.assertEqual(r.returncode, WAIT_TIMED_OUT, r.stderr)
        self.assertGreaterEqual(time.monotonic() - started, 0.5)
        self.assertIn("gave up waiting for job", r.stderr)
        self.assertIn("which is queued", r.stderr)

    def test_json_wait_prints_only_the_finished_job(self):
        p = self.running("submit", "render", "--queue", self.queue, "--wait", "--json")
        leased = self.api.lease_one("w", queues=[self.queue], wait_ms=10000)
        self.api.complete(leased["id"], leased["lease_token"], result=[1, 2])
        self.assertEqual(p.wait_exit(), OK, p.stderr_text())
        lines = p.stdout_lines()
        self.assertEqual(len(lines), 1, lines)
        job = json.loads(lines[0])
        self.assertEqual((job["id"], job["status"], job["result"]), (leased["id"], "completed", [1, 2]))

    def test_wait_command_follows_an_existing_job(self):
        job = self.api.submit(type="render", queue=self.queue)
        p = self.running("wait", job["id"])
        p.wait_stdout(lambda l: l.startswith("queued"))
        leased = self.api.lease_one("w", queues=[self.queue], wait_ms=10000)
        self.api.complete(job["id"], leased["lease_token"], result="done")
        self.assertEqual(p.wait_exit(), OK, p.stderr_text())
        self.assertEqual(p.stdout_lines()[-1], '"done"')


if __name__ == "__main__":
    unittest.main()
