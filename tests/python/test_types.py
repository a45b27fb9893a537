"""The package's annotations hold: mypy --strict on clients/python/jobq passes (Debian's mypy, which
scripts/install-deps installs), and on the examples that use it (examples/fastapi, examples/flask),
so the typed Job fields and calls read as the examples use them; and py.typed ships so that users'
type checkers read them."""

import os
import shutil
import subprocess
import unittest

from support import CLIENT_DIR, REPO

PYTHON = "/usr/bin/python3"  # Debian's, whose mypy package is python3-mypy


def mypy_available():
    if shutil.which(PYTHON) is None:
        return False
    probe = subprocess.run([PYTHON, "-m", "mypy", "--version"], capture_output=True, text=True)
    return probe.returncode == 0


def framework_available(name):
    probe = subprocess.run([PYTHON, "-c", f"import {name}"], capture_output=True)
    return probe.returncode == 0


@unittest.skipUnless(mypy_available(), "mypy is not installed for /usr/bin/python3: run scripts/install-deps "
                                       "(apt-get install mypy)")
class Strict(unittest.TestCase):
    def test_mypy_strict_passes_on_the_package(self):
        run = subprocess.run([PYTHON, "-m", "mypy", "--strict", "--cache-dir=/dev/null", "clients/python/jobq"],
                             cwd=REPO, capture_output=True, text=True, timeout=300)
        self.assertEqual(run.returncode, 0, f"mypy --strict found problems:\n{run.stdout}{run.stderr}")
        self.assertIn("Success", run.stdout)

    def test_mypy_strict_passes_on_the_examples(self):
        # One run per example: each has its own app.py and tasks.py, and imports them by those names.
        for example, framework in (("fastapi", "fastapi"), ("flask", "flask")):
            with self.subTest(example=example):
                if not framework_available(framework):
                    self.skipTest(f"{framework} is not installed for {PYTHON} (scripts/install-deps)")
                folder = REPO / "examples" / example
                sources = sorted(p.name for p in folder.glob("*.py"))
                env = dict(os.environ, MYPYPATH=str(CLIENT_DIR))
                run = subprocess.run([PYTHON, "-m", "mypy", "--strict", "--cache-dir=/dev/null", *sources],
                                     cwd=folder, env=env, capture_output=True, text=True, timeout=300)
                self.assertEqual(run.returncode, 0,
                                 f"mypy --strict found problems in examples/{example}:\n{run.stdout}{run.stderr}")
                self.assertIn(f"Success: no issues found in {len(sources)} source files", run.stdout)


class Marker(unittest.TestCase):
    def test_py_typed_ships_with_the_package(self):
        self.assertTrue((CLIENT_DIR / "jobq" / "py.typed").is_file())
        self.assertIn('jobq = ["py.typed"]', (CLIENT_DIR / "pyproject.toml").read_text())


if __name__ == "__main__":
    unittest.main()
