"""Harness for the `jobq` command's tests: runs the binary against a real jobqd (started by
tests/integration/jobqd.py's Server, imported rather than copied).

The binary comes from $JOBQ (set by the ctest registration), else build/asan/jobq in this checkout.
"""

import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "integration"))

from jobqd import REPO, Server, ServerTestCase, unique, wait_until  # noqa: E402,F401

JOBQ = os.path.abspath(os.environ.get("JOBQ") or str(REPO / "build" / "asan" / "jobq"))
SCRIPTS = HERE / "scripts"
RUN_TIMEOUT_S = 60.0

# Exit codes, as `jobq --help` documents them.
OK, JOB_FAILED, USAGE, NOT_FOUND, AUTH, UNAVAILABLE, JOB_CANCELLED, CONFLICT, WAIT_TIMED_OUT = range(9)


def jobq_env(server, key=None, extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOBQ_")}
    env["JOBQ_URL"] = f"http://127.0.0.1:{server.port}"
    if key is not None:
        env["JOBQ_API_KEY"] = key
    env.update(extra or {})
    return env


def run(server, *args, input=None, key=None, env=None, timeout=RUN_TIMEOUT_S):
    """Runs `jobq ARGS...` to its end; -> CompletedProcess with text stdout and stderr."""
    return subprocess.run([JOBQ, *map(str, args)], input=input, capture_output=True, text=True,
                          env=jobq_env(server, key, env), timeout=timeout,
                          stdin=None if input is not None else subprocess.DEVNULL)


class Running:
    """A `jobq` process that keeps running (worker, tail, submit --wait): its stdout and stderr are
    read by threads of their own, so a test waits for what it expects with a deadline."""

    def __init__(self, server, *args, key=None, env=None, stdout=None):
        self.args = [JOBQ, *map(str, args)]
        self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE if stdout is None else stdout,
                                     stderr=subprocess.PIPE, env=jobq_env(server, key, env))
        self.out, self.err = [], []
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._read, args=(s, into), daemon=True)
                         for s, into in ((self.proc.stdout, self.out), (self.proc.stderr, self.err))
                         if s is not None]
        for t in self._threads:
            t.start()

    def _read(self, stream, into):
        for raw in iter(stream.readline, b""):
            with self._lock:
                into.append(raw.decode(errors="replace").rstrip("\n"))

    def stdout_lines(self):
        with self._lock:
            return list(self.out)

    def stderr_text(self):
        with self._lock:
            return "\n".join(self.err)

    def wait_stdout(self, predicate, timeout=15.0, message=None):
        """Waits until some stdout line satisfies predicate; returns that line."""
        def found():
            return next((line for line in self.stdout_lines() if predicate(line)), None)
        return wait_until(found, timeout=timeout, message=message or f"stdout of {self.args[1:]}; "
                          f"stderr so far: {self.stderr_text()[-2000:]}")

    def wait_stderr(self, text, timeout=15.0):
        return wait_until(lambda: text in self.stderr_text(), timeout=timeout,
                          message=f"{text!r} on stderr of {self.args[1:]}; stderr so far: "
                                  f"{self.stderr_text()[-2000:]}")

    def wait_exit(self, timeout=RUN_TIMEOUT_S):
        code = self.proc.wait(timeout=timeout)
        for t in self._threads:
            t.join(timeout=5.0)
        return code

    def stop(self, sig=None, timeout=30.0):
        """SIGTERM (or sig), and the exit code."""
        import signal
        if self.proc.poll() is None:
            self.proc.send_signal(sig or signal.SIGTERM)
        return self.wait_exit(timeout)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        for s in (self.proc.stdout, self.proc.stderr):
            if s is not None:
                s.close()


class CliTestCase(ServerTestCase):
    """One server per class; helpers to run jobq against it."""

    def jobq(self, *args, **kw):
        return run(self.server, *args, **kw)

    def ok(self, *args, **kw):
        """jobq ARGS that must exit 0; -> its stdout."""
        r = self.jobq(*args, **kw)
        self.assertEqual(r.returncode, OK, f"jobq {' '.join(map(str, args))}\nstdout: {r.stdout}\nstderr: {r.stderr}")
        return r.stdout

    def fails(self, code, *args, **kw):
        """jobq ARGS that must exit with code; -> its stderr."""
        r = self.jobq(*args, **kw)
        self.assertEqual(r.returncode, code, f"jobq {' '.join(map(str, args))}\nstdout: {r.stdout}\nstderr: {r.stderr}")
        return r.stderr

    def running(self, *args, **kw):
        p = Running(self.server, *args, **kw)
        self.addCleanup(p.close)
        return p
