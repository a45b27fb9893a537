"""A worker process for test_worker_shutdown.py: `sleepy_worker.py QUEUE CONCURRENCY GRACE_S`.

Its "sleep" handler runs payload["seconds"] (capped at 0.1 with JOBQ_TEST_FAST=1), reporting
progress, and does not look at cancellation, like a handler that cannot be interrupted.
"""

import logging
import os
import sys
import time

import jobq

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
queue, concurrency, grace_s = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
fast = os.environ.get("JOBQ_TEST_FAST") == "1"
worker = jobq.Worker(queues=[queue], concurrency=concurrency, grace_s=grace_s, poll_s=1.0, beat_s=0.5)


@worker.handler("sleep")
def sleep(job):
    seconds = min(job.payload["seconds"], 0.1) if fast else job.payload["seconds"]
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        job.progress(min(99, int(100 * (1 - (end - time.monotonic()) / seconds))))
        time.sleep(0.05)
    return {"pid": os.getpid()}


worker.run()
print("worker returned", flush=True)
