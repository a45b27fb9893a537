"""What the reliability tests share: the tier, the integration harness, and HTTP load that keeps
account of what the server acknowledged.

RELIABILITY=short (the default, run by ctest and CI) or long (make reliability) sets how many
rounds each test runs; both are bounded in count and in time.
"""

import collections
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))

from jobqd import (  # noqa: E402,F401  (re-exported)
    LIBFAKETIME, Api, RedisServer, Server, fake_wall_clock, own_server, unique, wait_until)

TIER = os.environ.get("RELIABILITY", "short")
if TIER not in ("short", "long"):
    raise SystemExit(f"RELIABILITY must be short or long, not {TIER!r}")
LONG = TIER == "long"


def rounds(short, long):
    return long if LONG else short


class Ledger:
    """What the server acknowledged, from every load thread: submits, and completions per job."""

    def __init__(self):
        self.lock = threading.Lock()
        self.submitted = set()
        self.completions = collections.Counter()
        self.server_errors = []  # (method, path, status, body) of every 5xx

    def count_submitted(self):
        with self.lock:
            return len(self.submitted)

    def note_5xx(self, method, path, status, body):
        with self.lock:
            self.server_errors.append((method, path, status, body))

    def double_completions(self):
        with self.lock:
            return {job_id: n for job_id, n in self.completions.items() if n > 1}


class Load:
    """Producer threads submitting one job per request, and worker threads leasing and completing
    them, against `server` until stop(). Connection errors (the server killed or stopping) make a
    thread reconnect; what was acknowledged before is in the ledger."""

    def __init__(self, server, ledger, queue, producers=2, workers=2, lease_ms=2000):
        self.server, self.ledger, self.queue, self.lease_ms = server, ledger, queue, lease_ms
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._produce, daemon=True) for _ in range(producers)]
        self.threads += [threading.Thread(target=self._work, args=(f"w{i}",), daemon=True)
                         for i in range(workers)]

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(timeout=30)
            if t.is_alive():
                raise AssertionError("a load thread did not stop within 30 s")

    def _calls(self, body):
        api = Api(self.server, timeout=10)
        try:
            while not self.stopping.is_set():
                try:
                    body(api)
                except Exception:  # killed, restarting or refusing (OSError, HTTPException): retry
                    api.close()
                    time.sleep(0.01)
        finally:
            api.close()

    def _checked(self, api, method, path, body, ok):
        status, data, _ = api.request(method, path, body)
        if status >= 500:
            self.ledger.note_5xx(method, path, status, data)
        return data if status in ok else None

    def _produce(self):
        def submit(api):
            job = self._checked(api, "POST", "/jobs", {"type": "t", "queue": self.queue}, (201,))
            if job:
                with self.ledger.lock:
                    self.ledger.submitted.add(job["id"])
        self._calls(submit)

    def _work(self, worker_id):
        def work(api):
            answer = self._checked(api, "POST", "/lease", {
                "worker_id": worker_id, "queues": [self.queue], "max_jobs": 5,
                "lease_ms": self.lease_ms, "wait_ms": 200}, (200,))
            for job in (answer or {}).get("jobs", []):
                done = self._checked(api, "POST", f"/jobs/{job['id']}/complete",
                                     {"lease_token": job["lease_token"]}, (200,))
                if done:
                    with self.ledger.lock:
                        self.ledger.completions[job["id"]] += 1
        self._calls(work)


def drain(server, ledger, queue, lease_ms=2000, timeout=60.0):
    """Runs workers until every job of `queue` is finished (leases of killed workers run out first)."""
    api = server.api()
    try:
        with Load(server, ledger, queue, producers=0, workers=2, lease_ms=lease_ms):
            def finished():
                page = api.list_jobs(queue=queue, status="waiting,scheduled,queued,running", limit=1)
                return not page["jobs"]
            wait_until(finished, timeout=timeout, interval=0.2,
                       message="every job to finish (none stuck running or queued)")
        return {j["id"]: j for j in api.list_all(queue=queue, page_limit=1000)}
    finally:
        api.close()
