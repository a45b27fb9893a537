"""Test helpers for code that uses jobq: a real jobqd on the memory store, and fixtures.

    # unittest
    class ReportTests(unittest.TestCase):
        @classmethod
        def setUpClass(cls):
            cls.jobqd = jobq.testing.JobqServer().start()
            cls.addClassCleanup(cls.jobqd.stop)

    # pytest (conftest.py): the fixtures below, when pytest is installed
    from jobq.testing import jobqd, jobq_client  # noqa: F401

For tests that need no server at all, ``with app.eager():`` runs each submit in-process.
JobqServer starts ``$JOBQD``, else ``jobqd`` on the PATH, on ``--store memory:`` on a free port of
127.0.0.1, in a temporary directory that holds its log; stop() sends SIGTERM and removes it.
"""

import importlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any, Iterator, List, Optional, Sequence

from .client import Client

START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class JobqServer:
    """One jobqd process for tests. binary: default $JOBQD, else jobqd on the PATH; args: more flags."""

    def __init__(self, binary: Optional[str] = None, args: Sequence[str] = ()) -> None:
        found = binary or os.environ.get("JOBQD") or shutil.which("jobqd")
        if not found:
            raise FileNotFoundError("no jobqd: set $JOBQD to the binary, or put jobqd on the PATH")
        self.binary = found
        self.args = list(args)
        self.dir: Optional[Path] = None
        self.port: Optional[int] = None
        self.proc: Optional["subprocess.Popen[bytes]"] = None

    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("the server is not started")
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return (self.dir / "jobqd.log").read_text(errors="replace") if self.dir else ""

    def command(self) -> List[str]:
        return [self.binary, "--listen", f"127.0.0.1:{self.port}", "--store", "memory:", *self.args]

    def start(self) -> "JobqServer":
        """Starts jobqd and returns once it answers GET /health (RuntimeError with its log if not)."""
        self.dir = Path(tempfile.mkdtemp(prefix="jobq-testing-"))
        for _ in range(3):  # another process may take the free port before jobqd binds it
            self.port = free_port()
            with open(self.dir / "jobqd.log", "ab") as log:
                self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=log,
                                             stderr=subprocess.STDOUT, cwd=self.dir, start_new_session=True)
            if self._healthy():
                return self
            if self.proc.poll() is None or "in use" not in self.log().lower():
                break
        self.stop()
        raise RuntimeError(f"jobqd did not start within {START_TIMEOUT_S} s:\n{self.log()[-4000:]}")

    def _healthy(self) -> bool:
        assert self.proc is not None
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=1.0) as resp:
                    if resp.status == 200:
                        return True
            except OSError:
                pass
            time.sleep(0.02)
        return False

    def client(self, **options: Any) -> Client:
        """A Client on this server (the caller closes it)."""
        return Client(self.url, **options)

    def stop(self) -> None:
        """SIGTERM (SIGKILL after STOP_TIMEOUT_S), then the temporary directory goes."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def __enter__(self) -> "JobqServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def jobqd_server() -> Iterator[JobqServer]:
    """A running JobqServer until the generator is closed: the body of the ``jobqd`` fixture."""
    with JobqServer() as server:
        yield server


def client_on(server: JobqServer) -> Iterator[Client]:
    """A Client on the server until the generator is closed: the body of the ``jobq_client`` fixture."""
    with server.client() as client:
        yield client


def _jobq_client(jobqd: JobqServer) -> Iterator[Client]:
    yield from client_on(jobqd)


try:  # pytest fixtures, when pytest is there; the generators above serve unittest and others
    # Imported by name so that mypy --strict passes with pytest absent (no stubs to find) or present.
    pytest = importlib.import_module("pytest")
except ImportError:  # pragma: no cover - pytest is optional
    pass
else:
    jobqd = pytest.fixture(scope="session", name="jobqd")(jobqd_server)
    jobq_client = pytest.fixture(name="jobq_client")(_jobq_client)
