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


def version():
    """The version, from its one place: jobq/__init__.py."""
    text = (CLIENT_DIR / "jobq" / "__init__.py").read_text()
    return text.split('__version__ = "', 1)[1].split('"', 1)[0]


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
        self.assertTrue((target / "jobq" / "py.typed").is_file(), "py.typed is not installed")
        self.assertTrue(list(target.glob("jobq-*.dist-info")), list(target.iterdir()))
        self.assertEqual(next(target.glob("jobq-*.dist-info")).name, f"jobq-{version()}.dist-info")
        script = target / "bin" / "jobq-worker"
        self.assertTrue(script.is_file(), "the jobq-worker console script is not installed")
        usage = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True,
                               timeout=60, env={"PYTHONPATH": str(target)})
        self.assertEqual(usage.returncode, 0, usage.stdout + usage.stderr)
        self.assertIn("MODULE:ATTRIBUTE of the jobq.App", usage.stdout)

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
