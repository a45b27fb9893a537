"""Shared by the Python client's tests: the jobq package from clients/python, and the jobqd harness of
tests/integration (Server, wait_until, unique), imported rather than copied."""

import os
import sys
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CLIENT_DIR = REPO / "clients" / "python"
sys.path.insert(0, str(CLIENT_DIR))
sys.path.append(str(REPO / "tests" / "integration"))  # after ours: it has test files of the same names

import jobq  # noqa: E402
from jobqd import (JOBQD as JOBQD_BINARY, Server, ServerTestCase, config_file, free_port, unique,  # noqa: E402,F401
                   wait_until)

assert Path(jobq.__file__).resolve().is_relative_to(CLIENT_DIR), f"jobq comes from {jobq.__file__}"


def client_env(server, api_key=None):
    """The environment of a subprocess that uses the jobq package against this server."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(CLIENT_DIR) + os.pathsep + env.get("PYTHONPATH", "")
    env["JOBQ_URL"] = f"http://127.0.0.1:{server.port}"
    env.pop("JOBQ_API_KEY", None)
    if api_key:
        env["JOBQ_API_KEY"] = api_key
    return env


class ClientTestCase(ServerTestCase):
    """One jobqd for the class and a jobq.Client on it; each test gets a queue of its own."""

    def setUp(self):
        super().setUp()
        self.client = self.new_client()

    def new_client(self, **kw):
        kw.setdefault("url", f"http://127.0.0.1:{self.server.port}")
        kw.setdefault("api_key", self.server_key)
        client = jobq.Client(**kw)
        self.addCleanup(client.close)
        return client

    def watch_in_thread(self, job_id):
        """Watches the job from a thread, on a client of its own, until it is finished; -> (the
        (event, Job) pairs as they arrive, the thread), once the first of them (the snapshot) came."""
        events, opened = [], threading.Event()

        def watch():
            for event, job in self.new_client().watch(job_id, timeout=20):
                events.append((event, job))
                opened.set()

        thread = threading.Thread(target=watch, daemon=True)
        thread.start()
        self.assertTrue(opened.wait(10), "the watch did not open (no snapshot)")
        return events, thread

    def start_worker(self, worker):
        """Runs worker.run() in a thread; the test's cleanup stops it and insists that it returns."""
        errors = []

        def run():
            try:
                worker.run(install_signal_handlers=False)
            except BaseException as e:  # handed to the test, which fails on it
                errors.append(e)

        thread = threading.Thread(target=run, name="test-worker", daemon=True)
        thread.start()

        def stop():
            worker.stop()
            thread.join(5)
            if thread.is_alive():
                worker.stop()  # the grace is over: a test that wanted its jobs finished waited for them
                thread.join(25)
            self.assertFalse(thread.is_alive(), "the worker did not return after stop()")
            if errors:
                raise errors[0]

        self.addCleanup(stop)
        return thread


DEADLINE_S = 20.0


def metrics(server):
    """The lines of the server's /metrics."""
    api = server.api()
    try:
        status, _, _ = api.request("GET", "/metrics", absolute=True)
        text = api.last_text
    finally:
        api.close()
    assert status == 200, text
    return text.splitlines()


def progress_requests(server):
    """How many POST /jobs/{id}/progress the server has answered, from /metrics."""
    return sum(int(float(line.rsplit(" ", 1)[1])) for line in metrics(server)
               if line.startswith("jobq_http_requests_total{") and "progress" in line)


def leases_waiting(server):
    return next(int(line.split()[1]) for line in metrics(server) if line.startswith("jobq_leases_waiting "))


class WorkerTestCase(ClientTestCase):
    """A ClientTestCase with workers on the test's queue, polling and beating often."""

    def new_worker(self, cls=jobq.Worker, **kw):
        kw.setdefault("queues", [self.queue])
        kw.setdefault("poll_s", 1.0)
        kw.setdefault("beat_s", 0.5)
        return cls(self.new_client(), **kw)

    def finished(self, job_id, timeout=DEADLINE_S):
        job = self.client.wait(job_id, timeout=timeout)
        self.assertTrue(job.finished, f"job still {job.status} after {timeout} s: {job!r}")
        return job


class AppTestCase(WorkerTestCase):
    """A WorkerTestCase with a jobq.App on the server; its worker polls and beats often."""

    def new_app(self):
        return jobq.App(client=self.new_client())

    def start_app_worker(self, app, **kw):
        kw.setdefault("queues", [self.queue])
        kw.setdefault("poll_s", 1.0)
        kw.setdefault("beat_s", 0.5)
        worker = app.worker(**kw)
        self.start_worker(worker)
        return worker
