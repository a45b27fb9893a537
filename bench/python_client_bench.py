#!/usr/bin/env python3
"""The Python path's cost against a real jobqd: submits/s with the sync client (a task's .submit()
and the bare Client, one in flight and in batches of 100), the same with jobq.AsyncClient (a task's
``await .asubmit()`` and the bare AsyncClient, one call in flight on one event loop), and no-op task
jobs/s run by ``python3 -m jobq worker`` with 1 and 2 worker processes.

    bench/python_client_bench.py smoke|full JOBQD [memory|full|normal ...]

Stores: memory, or sqlite with that --sync (default: memory full). Each row starts its own jobqd on a
free loopback port (sqlite in a fresh /tmp directory) and stops it after. Every loop is bounded by its
count and by ROW_LIMIT_S; a row cut short says so and its rate is from the work it finished.

This file is also the worker's module: ``python3 -m jobq worker python_client_bench:app`` (run from
bench/) imports it for its ``app`` and never runs main().
"""

import asyncio
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
CLIENT_DIR = HERE.parent / "clients" / "python"
sys.path.insert(0, str(CLIENT_DIR))
import jobq  # noqa: E402
from bench_process import free_port, process_cpu_s  # noqa: E402

COUNTS = {"smoke": {"single": 50, "batch": 1000, "drain": 300},
          "full": {"single": 5000, "batch": 50000, "drain": 20000}}
ROW_LIMIT_S = {"smoke": 20.0, "full": 60.0}
BATCH = 100  # jobs per submit_many: the batch call's figure at a size a web app would send
FILL_BATCH = 1000  # jobs per call when queueing the jobs a worker row drains (not timed)
QUEUE = "bench"
WORKER_CONCURRENCY = 4  # the worker command's default
START_S = 20.0  # for jobqd to answer /health, and for the workers' first beats
# The drain rows poll /stats this often: a tighter poll costs jobqd CPU on the cores the workers
# share, and the row's end comes from the last completion's updated_at anyway.
DRAIN_POLL_S = 0.05


def bench_app(url=None):
    """The app of one row: one no-op task. Each row's jobqd has its own URL, hence a function."""
    app = jobq.App(url)

    @app.task(queue=QUEUE)
    def noop(n: int) -> None:
        return None

    return app


app = bench_app()  # the worker command's, from $JOBQ_URL


class Jobqd:
    """One jobqd on a free loopback port with the given store, for one row."""

    def __init__(self, binary, store):
        self.data = tempfile.mkdtemp(prefix="jobq-pyclient-bench-")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        store_args = ["--store", "memory:"] if store == "memory" else \
            ["--store", f"sqlite://{self.data}/jobq.db", "--sync", store]
        self.proc = subprocess.Popen([binary, "--listen", f"127.0.0.1:{self.port}", *store_args,
                                      "--log-level", "warn"], stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + START_S
        while not self._healthy():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f"jobqd ({store}) did not answer /health within {START_S:g} s")
            time.sleep(0.02)

    def _healthy(self):
        try:
            with urllib.request.urlopen(self.url + "/health", timeout=1):
                return True
        except OSError:
            return False

    def post(self, path):
        """An operator's call the sync client has no method for (queue pause and resume)."""
        req = urllib.request.Request(self.url + "/api/v1" + path, data=b"", method="POST")
        with urllib.request.urlopen(req, timeout=10) as resp:
            resp.read()

    def cpu_s(self):
        return process_cpu_s(self.proc.pid)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        subprocess.run(["rm", "-rf", self.data], check=False)


class Outcome:
    """What one row measured: ops done of n asked, in seconds; CPU of the client side and of jobqd."""

    def __init__(self, done, n, seconds, client_cpu_s, server_cpu_s, notes=""):
        self.done, self.n, self.seconds = done, n, seconds
        self.client_cpu_s, self.server_cpu_s, self.notes = client_cpu_s, server_cpu_s, notes


def timed_submits(server, n, limit_s, submit_some):
    """Calls submit_some(app, start, count) -> jobs submitted, until n or limit_s; -> Outcome."""
    row_app = bench_app(server.url)
    try:
        row_app.client.stats()  # the connection is open before the clock starts
        done, cpu0, server0 = 0, time.process_time(), server.cpu_s()
        t0 = time.monotonic()
        end = t0 + limit_s
        while done < n and time.monotonic() < end:
            done += submit_some(row_app, done, n - done)
        elapsed = time.monotonic() - t0
        return Outcome(done, n, elapsed, time.process_time() - cpu0, server.cpu_s() - server0)
    finally:
        row_app.close()


def task_single(row_app, start, left):
    row_app.tasks["noop"].submit(start)
    return 1


def client_single(row_app, start, left):
    row_app.client.submit("noop", {"args": [start], "kwargs": {}}, queue=QUEUE)
    return 1


def task_batch(row_app, start, left):
    count = min(BATCH, left)
    return len(row_app.tasks["noop"].submit_many([(i,) for i in range(start, start + count)]))


def client_batch(row_app, start, left):
    count = min(BATCH, left)
    return len(row_app.client.submit_many([{"type": "noop", "payload": {"args": [i], "kwargs": {}}, "queue": QUEUE}
                                           for i in range(start, start + count)]))


def timed_async_submits(server, n, limit_s, submit_some):
    """timed_submits for the AsyncClient: awaits submit_some(app, start, count) -> jobs submitted, one
    call at a time, on an event loop of the row's own; -> Outcome."""

    async def run():
        row_app = bench_app(server.url)
        try:
            await row_app.async_client.stats()  # the connection is open before the clock starts
            done, cpu0, server0 = 0, time.process_time(), server.cpu_s()
            t0 = time.monotonic()
            end = t0 + limit_s
            while done < n and time.monotonic() < end:
                done += await submit_some(row_app, done, n - done)
            elapsed = time.monotonic() - t0
            return Outcome(done, n, elapsed, time.process_time() - cpu0, server.cpu_s() - server0)
        finally:
            await row_app.aclose()

    return asyncio.run(run())


async def task_asubmit(row_app, start, left):
    await row_app.tasks["noop"].asubmit(start)
    return 1


async def async_client_single(row_app, start, left):
    await row_app.async_client.submit("noop", {"args": [start], "kwargs": {}}, queue=QUEUE)
    return 1


async def task_asubmit_batch(row_app, start, left):
    count = min(BATCH, left)
    return len(await row_app.tasks["noop"].asubmit_many([(i,) for i in range(start, start + count)]))


async def async_client_batch(row_app, start, left):
    count = min(BATCH, left)
    jobs = [{"type": "noop", "payload": {"args": [i], "kwargs": {}}, "queue": QUEUE}
            for i in range(start, start + count)]
    return len(await row_app.async_client.submit_many(jobs))


def drained_by_worker_command(processes):
    """n no-op jobs queued on a paused queue; `processes` worker commands started and beating; the
    queue resumed and the clock run until jobqd counts n completed. Client CPU: the workers'."""

    def measure(server, n, limit_s):
        row_app = bench_app(server.url)
        workers, logs = [], []
        try:
            server.post(f"/queues/{QUEUE}/pause")
            noop = row_app.tasks["noop"]
            for start in range(0, n, FILL_BATCH):
                noop.submit_many([(i,) for i in range(start, min(n, start + FILL_BATCH))])
            env = dict(os.environ, JOBQ_URL=server.url, PYTHONPATH=str(CLIENT_DIR))
            env.pop("JOBQ_API_KEY", None)
            for k in range(processes):
                log = tempfile.TemporaryFile()
                logs.append(log)
                workers.append(subprocess.Popen(
                    [sys.executable, "-m", "jobq", "worker", "python_client_bench:app",
                     "--concurrency", str(WORKER_CONCURRENCY), "--poll", "1", "--beat", "5",
                     "--worker-id", f"bench-{k}", "--log-level", "WARNING"],
                    cwd=HERE, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT))
            deadline = time.monotonic() + START_S
            while len([w for w in row_app.client.workers() if w["id"].startswith("bench-")]) < processes:
                if time.monotonic() > deadline or any(w.poll() is not None for w in workers):
                    raise SystemExit("the worker commands did not start:\n" + _logs(logs))
                time.sleep(0.02)
            cpu0 = sum(process_cpu_s(w.pid) for w in workers)
            server0 = server.cpu_s()
            t0, wall0 = time.monotonic(), time.time()
            server.post(f"/queues/{QUEUE}/resume")
            end = t0 + limit_s
            completed = 0
            while time.monotonic() < end:
                completed = row_app.client.stats()["by_status"].get("completed", 0)
                if completed >= n:
                    break
                time.sleep(DRAIN_POLL_S)
            elapsed = time.monotonic() - t0
            cpu = sum(process_cpu_s(w.pid) for w in workers) - cpu0
            server_cpu = server.cpu_s() - server0
            if completed >= n:  # the row ends at the last completion, not at the poll that saw it
                elapsed = last_completion(row_app.client) - wall0
            return Outcome(min(completed, n), n, elapsed, cpu, server_cpu,
                           f"--concurrency {WORKER_CONCURRENCY} each; client CPU: the workers'")
        finally:
            for w in workers:
                if w.poll() is None:
                    w.terminate()
            for w in workers:
                try:
                    w.wait(30)
                except subprocess.TimeoutExpired:
                    w.kill()
                    w.wait()
            for log in logs:
                log.close()
            row_app.close()

    return measure


def last_completion(client):
    """When jobqd recorded its newest completion, in seconds since the epoch (its clock is this
    machine's, as time.time() is)."""
    newest = client.list(status="completed", sort="updated_at", order="desc", limit=1).jobs[0]
    return newest.updated_at.timestamp()  # an aware UTC datetime (jobq.Job's typed field)


def _logs(logs):
    out = []
    for log in logs:
        log.seek(0)
        out.append(log.read().decode(errors="replace")[-2000:])
    return "\n".join(out)


def submits(submit_some):
    return lambda server, n, limit_s: timed_submits(server, n, limit_s, submit_some)


def async_submits(submit_some):
    return lambda server, n, limit_s: timed_async_submits(server, n, limit_s, submit_some)


# (what is measured, the count it uses, how).
ROWS = [
    ("submits/s, task.submit() on the sync client, one in flight", "single", submits(task_single)),
    ("submits/s, Client.submit() (no task layer), one in flight", "single", submits(client_single)),
    ("submits/s, await task.asubmit() on AsyncClient, one in flight", "single", async_submits(task_asubmit)),
    ("submits/s, await AsyncClient.submit() (no task layer), one in flight", "single",
     async_submits(async_client_single)),
    (f"submits/s, task.submit_many() of {BATCH} on the sync client, one in flight", "batch",
     submits(task_batch)),
    (f"submits/s, Client.submit_many() of {BATCH} (no task layer), one in flight", "batch",
     submits(client_batch)),
    (f"submits/s, await task.asubmit_many() of {BATCH} on AsyncClient, one in flight", "batch",
     async_submits(task_asubmit_batch)),
    (f"submits/s, await AsyncClient.submit_many() of {BATCH} (no task layer), one in flight", "batch",
     async_submits(async_client_batch)),
    ("no-op task jobs/s through `python3 -m jobq worker`, 1 process", "drain", drained_by_worker_command(1)),
    ("no-op task jobs/s through `python3 -m jobq worker`, 2 processes", "drain", drained_by_worker_command(2)),
]


def store_name(store):
    return "memory" if store == "memory" else f"sqlite sync={store}"


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in COUNTS:
        raise SystemExit(__doc__)
    mode, binary = sys.argv[1], sys.argv[2]
    stores = sys.argv[3:] or ["memory", "full"]
    for store in stores:
        if store not in ("memory", "full", "normal"):
            raise SystemExit(f"unknown store {store!r}: memory, full or normal")
    limit_s = ROW_LIMIT_S[mode]
    print(f"jobq python_client_bench, mode {mode}, server {binary} (--log-level warn), task noop(n: int) "
          f"on queue {QUEUE!r}, each row limited to {limit_s:g} s\n")
    print("| measurement | store | result | n | seconds | client CPU µs/job | jobqd CPU µs/job | notes |")
    print("|---|---|---:|---:|---:|---:|---:|---|")
    for store in stores:
        for what, count, measure in ROWS:
            n = COUNTS[mode][count]
            server = Jobqd(binary, store)
            try:
                out = measure(server, n, limit_s)
            finally:
                server.stop()
            per = max(out.done, 1)
            notes = out.notes
            if out.done < out.n:
                notes = (notes + "; " if notes else "") + f"cut short at {limit_s:g} s: {out.done:,} of {out.n:,}"
            print(f"| {what} | {store_name(store)} | {out.done / out.seconds:,.0f} /s | {out.done:,} | "
                  f"{out.seconds:.2f} | {out.client_cpu_s / per * 1e6:.0f} | {out.server_cpu_s / per * 1e6:.0f} | "
                  f"{notes} |", flush=True)


if __name__ == "__main__":
    main()
