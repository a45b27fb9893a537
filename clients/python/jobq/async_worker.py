"""A worker for ``async def`` handlers: they run as tasks on one asyncio loop in a thread of its own,
while leasing, heartbeats and reports stay on the worker's threads (the standard library has no
asynchronous HTTP client)."""

import asyncio
import inspect
import threading

from .errors import JobCancelled
from .worker import Worker


class AsyncWorker(Worker):
    """Worker whose handlers are coroutine functions (plain functions work too, in their own thread).

        worker = AsyncWorker(concurrency=100)

        @worker.handler("fetch")
        async def fetch(job):
            job.progress(10, "connecting")
            await asyncio.sleep(1)
            return {"ok": True}

        worker.run()

    A cancel request (or a shutdown's hand-back) cancels the handler's task: the handler sees
    asyncio.CancelledError at its next await, may clean up, and the job ends cancelled.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._loop = None
        self._loop_thread = None

    def run(self, install_signal_handlers=True):
        self._loop = asyncio.new_event_loop()
        self._loop_thread = threading.Thread(target=self._loop.run_forever, name="jobq-asyncio", daemon=True)
        self._loop_thread.start()
        try:
            super().run(install_signal_handlers)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._loop_thread.join()
            self._loop.close()

    def _call(self, fn, ctx):
        if not inspect.iscoroutinefunction(fn):
            return fn(ctx)
        return asyncio.run_coroutine_threadsafe(self._task(fn, ctx), self._loop).result()

    async def _task(self, fn, ctx):
        task = asyncio.current_task()
        loop = asyncio.get_running_loop()
        ctx.add_cancel_callback(lambda: loop.call_soon_threadsafe(task.cancel))
        try:
            return await fn(ctx)
        except asyncio.CancelledError:
            if ctx.cancelled:
                raise JobCancelled(ctx._stop_reason()) from None
            raise
