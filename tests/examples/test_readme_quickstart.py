"""The first blocks of clients/python/README.md, run as they are written there: tasks.py under
``python3 -m jobq worker tasks:app``, web.py under uvicorn, watch.py on the report it ordered, and the
jobq half of the Celery comparison. A README whose snippets drift from the API fails here."""

import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

from example_processes import DEADLINE_S, REPO, ExampleTestCase

sys.path.insert(0, str(REPO / "clients" / "python"))
import jobq  # noqa: E402

README = REPO / "clients" / "python" / "README.md"


def python_block(first_line):
    """The README's one ```python block whose first line is first_line."""
    found = [b for b in re.findall(r"^```python\n(.*?)^```", README.read_text(), re.S | re.M)
             if b.splitlines()[0].startswith(first_line)]
    if len(found) != 1:
        raise AssertionError(f"{README} has {len(found)} python blocks starting {first_line!r}, not 1")
    return found[0]


class ReadmeQuickstart(ExampleTestCase):
    def setUp(self):
        super().setUp()
        self.EXAMPLE = Path(tempfile.mkdtemp(prefix="jobq-readme-"))
        self.addCleanup(shutil.rmtree, self.EXAMPLE, True)
        for name in ("tasks.py", "web.py", "watch.py"):
            (self.EXAMPLE / name).write_text(python_block(f"# {name}:"))
        self.jobs = jobq.Client(self.env["JOBQ_URL"])
        self.addCleanup(self.jobs.close)

    def run_python(self, name, *args):
        done = subprocess.run([sys.executable, name, *args], cwd=self.EXAMPLE, env=self.env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=DEADLINE_S)
        self.assertEqual(done.returncode, 0, done.stdout)
        return done.stdout.splitlines()

    def test_a_report_ordered_through_web_py_is_made_by_the_worker_and_watched_to_the_end(self):
        worker = self.spawn_worker("tasks:app")
        web = self.spawn("web", [sys.executable, "-m", "uvicorn", "web:api", "--host", "127.0.0.1",
                                 "--port", str(self.port)])
        self.wait_for_app(web, "/openapi.json")

        status, ordered = self.request("POST", "/reports?user_id=7")
        self.assertEqual(status, 200, ordered)
        lines = self.run_python("watch.py", ordered["id"])
        self.assertTrue(lines[0].startswith("snapshot "), lines)
        self.assertRegex(lines[-1], r"^(snapshot|completed) completed 100(\.0)?$", self.log_of(worker))

        status, report = self.request("GET", f"/reports/{ordered['id']}")
        self.assertEqual((status, report["status"], report["result"]), (200, "completed", {"url": "/reports/7.pdf"}))
        self.assertEqual(report["progress"], 100)
        job = self.jobs.get(ordered["id"])
        self.assertEqual((job.type, job.queue, job.max_attempts, job.payload, job.progress_message),
                         ("generate_report", "reports", 3, {"args": [7, 10], "kwargs": {}}, "page 10 of 10"))
        self.assertEqual(self.stop(worker), 0, self.log_of(worker))

    def test_the_jobq_half_of_the_celery_comparison_submits_the_task(self):
        (self.EXAMPLE / "compare.py").write_text(python_block("# jobq"))
        lines = self.run_python("compare.py")
        self.assertEqual(len(lines), 1, lines)
        self.assertTrue(lines[0].startswith("queued "), lines)  # no worker runs in this test
        [job] = self.jobs.list(type="generate_report").jobs
        self.assertEqual((job.queue, job.max_attempts, job.payload), ("reports", 3, {"args": [7, 10], "kwargs": {}}))


if __name__ == "__main__":
    unittest.main()
