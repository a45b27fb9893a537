"""`pip install` of clients/python works offline (no build isolation: Debian's setuptools and wheel)
and gives a package that imports and talks to a server."""

import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

from support import CLIENT_DIR, ServerTestCase

PIP_TIMEOUT_S = 300


class PipInstall(ServerTestCase):
    def test_pip_installs_the_package_into_a_target_directory(self):
        work = Path(tempfile.mkdtemp(prefix="jobq-pip-"))
        self.addCleanup(shutil.rmtree, work, ignore_errors=True)
        source = work / "src"
        # A copy, so that the build leaves nothing behind in the checkout.
        shutil.copytree(CLIENT_DIR, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
        target = work / "site"
        pip = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--no-index", "--no-build-isolation", "--no-deps",
             "--disable-pip-version-check", "--target", str(target), str(source)],
            capture_output=True, text=True, timeout=PIP_TIMEOUT_S)
        self.assertEqual(pip.returncode, 0, pip.stdout + pip.stderr)
        self.assertTrue((target / "jobq" / "worker.py").is_file())

        script = ("import sys, jobq; c = jobq.Client(sys.argv[1]);"
                  "j = c.submit('installed', {'ok': True}); print(jobq.__file__, c.get(j.id).status)")
        run = subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(target)!r}); {script}",
                              f"http://127.0.0.1:{self.server.port}"],
                             capture_output=True, text=True, timeout=60, cwd=work)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        where, status = run.stdout.split()
        self.assertTrue(where.startswith(str(target)), where)
        self.assertEqual(status, "queued")


if __name__ == "__main__":
    unittest.main()
