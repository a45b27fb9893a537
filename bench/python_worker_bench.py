#!/usr/bin/env python3
"""B for the Python worker: no-op jobs processed per second by jobq.Worker against a real jobqd, with
the CPU per job of the worker and of jobqd, and the HTTP calls per job (from jobqd's /metrics).

    bench/python_worker_bench.py smoke|full JOBQD [memory|full|normal ...]

Each store row starts its own jobqd on a free loopback port (sqlite in a fresh /tmp directory), queues
N jobs in batches of 1,000, then times a Worker (concurrency 4) from its start until the server counts
N completed. Bounded: 60 s per row (the rate is then from the jobs done)."""

import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "clients" / "python"))
import jobq  # noqa: E402
from bench_process import free_port, process_cpu_s  # noqa: E402

COUNTS = {"smoke": 500, "full": 20000}
ROW_LIMIT_S = 60.0
CONCURRENCY = 4


def calls(url):
    """POST requests answered, by route, from /metrics."""
    text = urllib.request.urlopen(url + "/metrics", timeout=10).read().decode()
    out = {}
    for m in re.finditer(r'jobq_http_requests_total\{method="POST",route="([^"]+)",status="\d+"\} (\d+)', text):
        out[m.group(1)] = out.get(m.group(1), 0) + int(m.group(2))
    return out


def all_completed(client, n):
    return client.stats()["by_status"].get("completed", 0) >= n


def row(jobqd, store, n):
    data = tempfile.mkdtemp(prefix="jobq-pybench-")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    store_args = ["--store", "memory:"] if store == "memory" else \
        ["--store", f"sqlite://{data}/jobq.db", "--sync", store]
    proc = subprocess.Popen([jobqd, "--listen", f"127.0.0.1:{port}", *store_args, "--log-level", "warn"])
    try:
        client = jobq.Client(url=url)
        deadline = time.monotonic() + 10
        while True:
            try:
                urllib.request.urlopen(url + "/health", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("jobqd did not answer /health within 10 s")
                time.sleep(0.02)
        for start in range(0, n, 1000):
            client.submit_many([{"type": "noop", "payload": {"n": i, "pad": "x" * 80}}
                                for i in range(start, min(n, start + 1000))])
        done = [0]
        pause = threading.Event()  # never set: a bounded wait between polls
        worker = jobq.Worker(client, concurrency=CONCURRENCY, poll_s=1.0, beat_s=5.0)

        @worker.handler("noop")
        def noop(job):
            done[0] += 1
            return None

        before_calls, before_server = calls(url), process_cpu_s(proc.pid)
        before_self, t0 = time.process_time(), time.monotonic()
        thread = threading.Thread(target=lambda: worker.run(install_signal_handlers=False), daemon=True)
        thread.start()
        end = t0 + ROW_LIMIT_S
        while time.monotonic() < end:
            if done[0] >= n and all_completed(client, n):
                break
            pause.wait(0.005)
        elapsed = time.monotonic() - t0
        cpu_self, cpu_server = time.process_time() - before_self, process_cpu_s(proc.pid) - before_server
        after_calls = calls(url)
        worker.stop()
        thread.join(30)
        jobs = min(done[0], n)
        per = {k: (after_calls.get(k, 0) - before_calls.get(k, 0)) / max(jobs, 1) for k in after_calls}
        per = {k: v for k, v in per.items() if v > 0}
        cut = " (cut short at the row's time limit)" if jobs < n else ""
        print(f"| {store} | {jobs} | {jobs / elapsed:,.0f} | {cpu_self / max(jobs, 1) * 1e6:.0f} | "
              f"{cpu_server / max(jobs, 1) * 1e6:.0f} | "
              + ", ".join(f"{k.replace('/api/v1', '')} {v:.2f}" for k, v in sorted(per.items())) + f" |{cut}",
              flush=True)
    finally:
        proc.terminate()
        proc.wait(20)
        subprocess.run(["rm", "-rf", data], check=False)


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in COUNTS:
        raise SystemExit(__doc__)
    mode, jobqd = sys.argv[1], sys.argv[2]
    stores = sys.argv[3:] or ["memory", "full"]
    print(f"Python worker, B: {COUNTS[mode]} no-op jobs queued, then jobq.Worker(concurrency={CONCURRENCY}); "
          "CPU per job from /proc (the worker's includes this script's polling of /stats every 5 ms once\nits handler has seen every job)\n")
    print("| store | jobs | jobs/s | worker CPU µs/job | jobqd CPU µs/job | POST calls per job |")
    print("|---|---:|---:|---:|---:|---|")
    for store in stores:
        row(jobqd, store, COUNTS[mode])


if __name__ == "__main__":
    main()
