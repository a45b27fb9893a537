"""The app that test_worker_command.py runs with ``python3 -m jobq worker worker_app:app``: a sync
task that takes a while (and reports progress), an async one, on the queues of $TEST_QUEUES."""

import asyncio
import os
import threading
import time

import jobq

app = jobq.App()
first, second = os.environ["TEST_QUEUES"].split(",")


@app.task(queue=first)
def slow(job: jobq.JobContext, seconds: float) -> dict:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        job.progress(min(99, int(100 * (1 - (end - time.monotonic()) / seconds))))
        time.sleep(0.05)
    return {"pid": os.getpid(), "thread": threading.current_thread().name}


@app.task(queue=second)
async def ping(n: int) -> dict:
    await asyncio.sleep(0)
    return {"n": n, "pid": os.getpid(), "thread": threading.current_thread().name}
