"""Eager mode (App.eager()): a submit runs its task at once, in this process, as a worker would run
it: the payload through a JSON round trip, the same decoding, hooks and outcome mapping
(outcome.py), failed attempts retried at once while attempts are left. A Retry's delay is not
waited for. The handle answers like a TaskHandle, from the finished job (an AsyncTaskHandle's calls,
awaited, for asubmit)."""

import asyncio
import json
import threading
import uuid
from typing import Any, Dict, Iterator, List, Optional, Tuple

from .handle import HandleBase, finished_result
from .job import Job
from .outcome import outcome_of
from .task_run import handler_for

DEFAULT_MAX_ATTEMPTS = 3  # the server's default
MAX_UNCOUNTED_RUNS = 100  # Retry(count_attempt=False) forever would never end


class EagerRunner:
    def __init__(self, app: Any) -> None:
        self.app = app
        self.handles: List["EagerHandle"] = []

    def run(self, task: Any, spec: Dict[str, Any]) -> "EagerHandle":
        payload = json.loads(json.dumps(spec.get("payload"), allow_nan=False))
        handler = handler_for(task, self.app.hooks)
        max_attempts = spec.get("max_attempts", DEFAULT_MAX_ATTEMPTS)
        job = Job({"id": str(uuid.uuid4()), "type": task.name, "queue": spec.get("queue", "default"),
                   "payload": payload, "max_attempts": max_attempts, "attempt": 0, "errors": [],
                   "status": "running", "result": None, "error": None})
        counted = runs = 0
        while True:
            runs += 1
            ctx = task.local_context(payload, attempt=counted + 1)
            ctx.id = job["id"]
            kind, fields = outcome_of(lambda: _call(handler, ctx))
            job["attempt"] = counted + 1
            if kind == "complete":
                job.update(status="completed", result=json.loads(json.dumps(fields["result"])), progress=100)
                break
            error = {"attempt": counted + 1, "message": fields["error"], "traceback": fields.get("traceback")}
            job["errors"].append(error)
            job["error"] = error
            if fields.get("count_attempt", True):
                counted += 1
            cancelled = fields["error"].startswith("cancelled:")
            if not fields["retryable"] or counted >= max_attempts or runs >= MAX_UNCOUNTED_RUNS:
                job["status"] = "cancelled" if cancelled else "failed"
                break
        handle = EagerHandle(job, task.hints.get("return"))
        self.handles.append(handle)
        return handle


def _call(handler: Any, ctx: Any) -> Any:
    if not asyncio.iscoroutinefunction(handler):
        return handler(ctx)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(handler(ctx))
    # Submitted from a coroutine: the task runs on a loop of its own, in a thread, to the end.
    box: List[Tuple[bool, Any]] = []

    def run() -> None:
        try:
            box.append((True, asyncio.run(handler(ctx))))
        except BaseException as e:
            box.append((False, e))

    thread = threading.Thread(target=run, name="jobq-eager")
    thread.start()
    thread.join()
    ok, value = box[0]
    if not ok:
        raise value
    return value


class EagerHandle(HandleBase):
    """A TaskHandle of a job that eager mode ran: finished by the time submit returned."""

    def __repr__(self) -> str:
        return f"EagerHandle(id={self.id!r}, type={self.job.get('type')!r}, status={self.job.get('status')!r})"

    def get(self) -> Job:
        return self.job

    def status(self) -> str:
        return str(self.job["status"])

    def wait(self, timeout: float = 30.0) -> Job:
        return self.job

    def watch(self, timeout: Optional[float] = None) -> Iterator[Tuple[str, Job]]:
        return iter([("snapshot", self.job), (str(self.job["status"]), self.job)])

    def cancel(self) -> Job:
        return self.job

    def result(self, timeout: float = 30.0) -> Any:
        return finished_result(self.job, self._return_hint, timeout)


class AsyncEagerHandle:
    """An AsyncTaskHandle of a job that eager mode ran (asubmit): the EagerHandle's answers, awaited."""

    def __init__(self, handle: EagerHandle) -> None:
        self.handle = handle
        self.job = handle.job
        self.id = handle.id

    def __repr__(self) -> str:
        return f"Async{self.handle!r}"

    async def get(self) -> Job:
        return self.job

    async def status(self) -> str:
        return self.handle.status()

    async def wait(self, timeout: float = 30.0) -> Job:
        return self.job

    async def watch(self, timeout: Optional[float] = None) -> "FinishedStream":
        return FinishedStream(list(self.handle.watch(timeout)))

    async def cancel(self) -> Job:
        return self.job

    async def result(self, timeout: float = 30.0) -> Any:
        return self.handle.result(timeout)


class FinishedStream:
    """The events of a finished job, as an AsyncEventStream gives them: ``async with``, ``async for``."""

    def __init__(self, events: List[Tuple[str, Job]]) -> None:
        self._events = iter(events)

    def __aiter__(self) -> "FinishedStream":
        return self

    async def __anext__(self) -> Tuple[str, Job]:
        try:
            return next(self._events)
        except StopIteration:
            raise StopAsyncIteration from None

    async def aclose(self) -> None:
        self._events = iter(())

    async def __aenter__(self) -> "FinishedStream":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
