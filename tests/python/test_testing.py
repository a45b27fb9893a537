"""jobq.testing: a real jobqd on the memory store on a free loopback port, for the tests of code that
uses jobq, and the fixture bodies that pytest and unittest share."""

import os
import subprocess
import sys
import tempfile
import threading
import unittest
from pathlib import Path

import support  # noqa: F401  (puts clients/python first on the path)
from support import CLIENT_DIR, JOBQD_BINARY
import jobq
from jobq import testing


class Server(unittest.TestCase):
    def test_a_server_on_memory_runs_a_task_end_to_end_and_stop_cleans_up(self):
        server = testing.JobqServer(JOBQD_BINARY).start()
        self.addCleanup(server.stop)
        self.assertIn("--store", server.command())
        self.assertEqual(server.command()[server.command().index("--store") + 1], "memory:")
        self.assertTrue(server.url.startswith("http://127.0.0.1:"))
        app = jobq.App(client=server.client())
        self.addCleanup(app.close)

        @app.task(queue="t")
        def add(a: int, b: int) -> int:
            return a + b

        worker = app.worker(poll_s=0.5, beat_s=0.5)
        thread = threading.Thread(target=worker.run, kwargs={"install_signal_handlers": False}, daemon=True)
        thread.start()
        try:
            self.assertEqual(add.submit(2, 3).result(timeout=20), 5)
        finally:
            worker.stop()
            thread.join(20)
        self.assertFalse(thread.is_alive())
        where = server.dir
        server.stop()
        self.assertEqual(server.proc.returncode, 0)
        self.assertFalse(where.exists())

    def test_the_fixture_bodies_start_a_server_and_a_client_and_stop_them(self):
        previous = os.environ.get("JOBQD")
        os.environ["JOBQD"] = JOBQD_BINARY
        self.addCleanup(lambda: os.environ.__setitem__("JOBQD", previous) if previous else os.environ.pop("JOBQD"))
        servers = testing.jobqd_server()
        server = next(servers)
        clients = testing.client_on(server)
        client = next(clients)
        self.assertEqual(client.stats()["by_status"].get("queued", 0), 0)
        clients.close()
        servers.close()
        self.assertEqual(server.proc.returncode, 0)

    def test_pytest_runs_the_shipped_fixtures_against_a_real_jobqd(self):
        # pytest (Debian's python3-pytest, scripts/install-deps) in a process of its own, on a
        # project whose conftest.py imports the fixtures as the module's docstring says.
        project = Path(tempfile.mkdtemp(prefix="jobq-pytest-"))
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", str(project)]))
        (project / "conftest.py").write_text("from jobq.testing import jobqd, jobq_client  # noqa: F401\n")
        (project / "test_app.py").write_text(
            "def test_submit_on_the_fixture_client(jobqd, jobq_client):\n"
            "    assert jobqd.url.startswith('http://127.0.0.1:')\n"
            "    job = jobq_client.submit('report', {'n': 1}, queue='pytest')\n"
            "    assert jobq_client.get(job.id).status == 'queued'\n"
            "\n"
            "def test_the_server_is_shared_by_the_session(jobqd, jobq_client):\n"
            "    assert jobq_client.stats()['by_status'].get('queued') == 1\n")
        env = dict(os.environ, JOBQD=JOBQD_BINARY, PYTHONPATH=str(CLIENT_DIR))
        run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(project)],
                             cwd=project, env=env, capture_output=True, text=True, timeout=120)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        self.assertIn("2 passed", run.stdout)

    def test_without_a_binary_the_error_says_where_to_put_one(self):
        previous = os.environ.pop("JOBQD", None)
        self.addCleanup(lambda: previous and os.environ.__setitem__("JOBQD", previous))
        saved_path = os.environ.get("PATH", "")
        os.environ["PATH"] = ""
        self.addCleanup(os.environ.__setitem__, "PATH", saved_path)
        with self.assertRaisesRegex(FileNotFoundError, r"set \$JOBQD"):
            testing.JobqServer()


if __name__ == "__main__":
    unittest.main()
