"""`pip install` of clients/python works offline (no build isolation: Debian's setuptools and wheel)
and gives a package that imports and talks to a server; so does the wheel `make wheel` builds
(dist/jobq-VERSION-py3-none-any.whl), installed into a fresh venv."""

import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

from support import CLIENT_DIR, REPO, ServerTestCase

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



@unittest.skipUnless(shutil.which("make"), "make is not installed")
class Wheel(ServerTestCase):
    def run_ok(self, command, **kw):
        run = subprocess.run(command, capture_output=True, text=True, timeout=PIP_TIMEOUT_S, **kw)
        self.assertEqual(run.returncode, 0, f"{command}:\n{run.stdout}{run.stderr}")
        return run

    def test_make_wheel_builds_offline_a_wheel_that_pip_installs_into_a_venv(self):
        work = Path(tempfile.mkdtemp(prefix="jobq-wheel-"))
        self.addCleanup(shutil.rmtree, work, ignore_errors=True)
        leftovers = [CLIENT_DIR / "build", CLIENT_DIR / "jobq.egg-info"]
        before = [p.exists() for p in leftovers]

        self.run_ok(["make", "-s", "-C", str(REPO), "wheel", f"PY_DIST={work / 'dist'}"])
        wheel = work / "dist" / f"jobq-{version()}-py3-none-any.whl"
        self.assertEqual(list((work / "dist").iterdir()), [wheel])
        self.assertEqual([p.exists() for p in leftovers], before, "make wheel left build files in the checkout")

        venv = work / "venv"
        self.run_ok([sys.executable, "-m", "venv", "--system-site-packages", str(venv)])
        python = venv / "bin" / "python"
        self.run_ok([str(python), "-m", "pip", "install", "--no-index", "--disable-pip-version-check", str(wheel)],
                    cwd=work)
        env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin"}  # no PYTHONPATH: the venv's jobq or none
        where = self.run_ok([str(python), "-c", "import jobq; print(jobq.__file__, jobq.__version__)"],
                            cwd=work, env=env).stdout.split()
        self.assertEqual(Path(where[0]).parent, venv / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
                         / "site-packages" / "jobq")
        self.assertEqual(where[1], version())
        self.assertIn("python3 -m jobq worker MODULE:APP",
                      self.run_ok([str(python), "-m", "jobq", "--help"], cwd=work, env=env).stdout)
        self.assertIn("MODULE:ATTRIBUTE of the jobq.App",
                      self.run_ok([str(venv / "bin" / "jobq-worker"), "--help"], cwd=work, env=env).stdout)
        submitted = self.run_ok([str(python), "-c", "import sys, jobq; c = jobq.Client(sys.argv[1]);"
                                 "print(c.get(c.submit('from_wheel', {}).id).status)",
                                 f"http://127.0.0.1:{self.server.port}"], cwd=work, env=env)
        self.assertEqual(submitted.stdout.strip(), "queued")

if __name__ == "__main__":
    unittest.main()
