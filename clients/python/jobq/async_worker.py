"""A worker for ``async def`` handlers: they run as tasks on one asyncio loop in a thread of its own,
while leasing, heartbeats and reports stay on the worker's threads (the standard library has no
asynchronous HTTP client)."""

from __future__ import annotations

import asyncio
import inspect
import threading
from typing import Any, Callable, Optional

from .errors import JobCancelled
from .job_context import JobContext
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._loop_thread: Optional[threading.Thread] = None

    def run(self, install_signal_handlers: bool = True) -> None:
        loop = self._loop = asyncio.new_event_loop()
        thread = self._loop_thread = threading.Thread(target=loop.run_forever, name="jobq-asyncio", daemon=True)
        thread.start()
        try:
            super().run(install_signal_handlers)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join()
            loop.close()

    def _call(self, fn: Callable[[JobContext], Any], ctx: JobContext) -> Any:
        if not inspect.iscoroutinefunction(fn):
            return fn(ctx)
        assert self._loop is not None, "run() starts the loop before any job"
        return asyncio.run_coroutine_threadsafe(self._task(fn, ctx), self._loop).result()

    async def _task(self, fn: Callable[[JobContext], Any], ctx: JobContext) -> Any:
        task = asyncio.current_task()
        loop = asyncio.get_running_loop()

        def cancel() -> None:
            if task is not None:
                loop.call_soon_threadsafe(task.cancel)

        ctx.add_cancel_callback(cancel)
        try:
            return await fn(ctx)
        except asyncio.CancelledError:
            if ctx.cancelled:
                raise JobCancelled(ctx._stop_reason()) from None
            raise
