"""What the example tests share: a real jobqd, the example's processes started with their output in
a log (shown when an assertion fails), and HTTP calls to the example's web app."""

import http.client
import json
import os
import signal
import subprocess
import sys
import unittest
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "integration"))

from jobqd import Server, free_port, wait_until  # noqa: E402,F401

DEADLINE_S = 30.0


class ExampleTestCase(unittest.TestCase):
    """setUp starts jobqd; spawn() starts one of the example's processes in its folder (EXAMPLE),
    with the client from clients/python on the path and JOBQ_URL pointing at that jobqd."""

    EXAMPLE: Path

    def setUp(self):
        self.server = Server()
        self.addCleanup(self.server.close)
        self.env = dict(os.environ, PYTHONPATH=str(REPO / "clients" / "python"),
                        JOBQ_URL=f"http://127.0.0.1:{self.server.port}")
        self.env.pop("JOBQ_API_KEY", None)
        self.port = free_port()  # the web app's

    def spawn(self, name, command):
        log = open(self.server.dir / f"{name}.log", "w+")
        self.addCleanup(log.close)
        proc = subprocess.Popen(command, cwd=self.EXAMPLE, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        self.addCleanup(lambda: proc.poll() is None and (proc.kill(), proc.wait()))
        proc.log = log
        proc.name = name
        return proc

    def spawn_worker(self, spec, *options):
        """The example's worker, as its README runs it: ``python3 -m jobq worker SPEC``."""
        return self.spawn("worker", [sys.executable, "-m", "jobq", "worker", spec, "--poll", "1", *options])

    def start_app(self, name, *module_args, **env):
        """The example's web app, ``python3 -m MODULE_ARGS --host 127.0.0.1 --port PORT``, with env
        added to the environment of it and of every process started after it; -> its process, once
        it answers GET /."""
        self.env.update(env)
        app = self.spawn(name, [sys.executable, "-m", *module_args, "--host", "127.0.0.1", "--port", str(self.port)])
        self.wait_for_app(app)
        return app

    def log_of(self, proc):
        proc.log.seek(0)
        return proc.log.read()

    def wait_for_app(self, proc, path="/"):
        """Until the web app answers GET path with 200 (it fails at once if the process exited)."""
        def answers():
            if proc.poll() is not None:
                raise AssertionError(f"{proc.name} exited with {proc.returncode}\n{self.log_of(proc)}")
            try:
                return self.request("GET", path)[0] == 200
            except OSError:
                return False
        wait_until(answers, DEADLINE_S, interval=0.1, message=f"{proc.name} to answer GET {path}")

    def fetch(self, method, path, body=None, form=None, headers=None):
        """One request to the web app; -> (status, headers, the body as JSON if it is, else text)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=DEADLINE_S)
        try:
            sent = dict(headers or {})
            data = None
            if body is not None:
                data, sent["Content-Type"] = json.dumps(body), "application/json"
            elif form is not None:
                data, sent["Content-Type"] = urllib.parse.urlencode(form), "application/x-www-form-urlencoded"
            conn.request(method, path, body=data, headers=sent)
            resp = conn.getresponse()
            raw = resp.read().decode()
        finally:
            conn.close()
        try:
            return resp.status, resp.headers, json.loads(raw)
        except ValueError:
            return resp.status, resp.headers, raw

    def request(self, method, path, body=None, form=None):
        status, _, data = self.fetch(method, path, body, form)
        return status, data

    def stop(self, proc):
        """SIGTERM, then its exit code (the test fails if it is still running after DEADLINE_S)."""
        proc.send_signal(signal.SIGTERM)
        try:
            return proc.wait(DEADLINE_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            self.fail(f"{proc.name} did not exit after SIGTERM\n{self.log_of(proc)}")
