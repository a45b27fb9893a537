"""What a task's submit returns: the job's id and the calls about it, its result decoded by the task's
return annotation. TaskHandle is submit()'s, on the sync Client; AsyncTaskHandle is asubmit()'s, the
same calls awaited on the AsyncClient."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, Optional, TypeVar

from .codec import from_json
from .errors import JobqError, TaskFailed
from .job import Job, JobStatus

if TYPE_CHECKING:
    from .async_client import AsyncClient
    from .async_event_stream import AsyncEventStream
    from .client import Client
    from .event_stream import EventStream

R = TypeVar("R")


def _status_of(job: Job) -> JobStatus:
    if job.status is None:  # every job jobqd answers with has one
        raise JobqError(f"the answer for job {job.id} has no status")
    return job.status


class HandleBase:
    """What every handle of a job holds: ``job``, as last read, its ``id``, and the return annotation
    that decodes its result. The sync, async and eager handles build on it."""

    def __init__(self, job: Job, return_hint: Any) -> None:
        self.job = job
        self.id: str = job["id"]
        self._return_hint = return_hint

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self.id!r}, type={self.job.get('type')!r})"


class TaskHandle(HandleBase, Generic[R]):
    """One submitted job of a task. ``id``; ``job``: the job as the submit answered it."""

    def __init__(self, client: Client, job: Job, return_hint: Any = None) -> None:
        super().__init__(job, return_hint)
        self.client = client

    def get(self) -> Job:
        """The job as it is now."""
        self.job = self.client.get(self.id)
        return self.job

    def status(self) -> JobStatus:
        """The job's status now: ``queued``, ``running``, ``completed``... (a str, so it compares
        with the name)."""
        return _status_of(self.get())

    def wait(self, timeout: float = 30.0) -> Job:
        """Waits up to timeout seconds for the job to finish; -> the Job, finished or as it is then."""
        self.job = self.client.wait(self.id, timeout=timeout)
        return self.job

    def watch(self, timeout: Optional[float] = None) -> EventStream:
        """The job's live changes, (event, Job) pairs until it is finished (Client.watch)."""
        return self.client.watch(self.id, timeout=timeout)

    def cancel(self) -> Job:
        self.job = self.client.cancel(self.id)
        return self.job

    def result(self, timeout: float = 30.0) -> R:
        """Waits for the job and returns its result, decoded by the task's return annotation.
        TaskFailed if it failed or was cancelled; TimeoutError if it did not finish in time."""
        result: R = finished_result(self.wait(timeout), self._return_hint, timeout)
        return result


class AsyncTaskHandle(HandleBase, Generic[R]):
    """One job of a task submitted with ``await task.asubmit(...)``: TaskHandle's calls, each a
    coroutine on the app's AsyncClient, so an ``async def`` endpoint never blocks its loop."""

    def __init__(self, client: AsyncClient, job: Job, return_hint: Any = None) -> None:
        super().__init__(job, return_hint)
        self.client = client

    async def get(self) -> Job:
        self.job = await self.client.get(self.id)
        return self.job

    async def status(self) -> JobStatus:
        return _status_of(await self.get())

    async def wait(self, timeout: float = 30.0) -> Job:
        self.job = await self.client.wait(self.id, timeout=timeout)
        return self.job

    async def watch(self, timeout: Optional[float] = None) -> AsyncEventStream:
        """``async with await handle.watch() as changes: async for event, job in changes`` (AsyncClient.watch)."""
        return await self.client.watch(self.id, timeout=timeout)

    async def cancel(self) -> Job:
        self.job = await self.client.cancel(self.id)
        return self.job

    async def result(self, timeout: float = 30.0) -> R:
        result: R = finished_result(await self.wait(timeout), self._return_hint, timeout)
        return result


def finished_result(job: Job, return_hint: Any, timeout: float) -> Any:
    status = job.get("status")
    if status == "completed":
        return from_json(job.get("result"), return_hint, "result")
    if status in ("failed", "cancelled"):
        error = (job.get("error") or {}).get("message") or status
        raise TaskFailed(f"job {job.get('id')} ({job.get('type')}) {status}: {error}", job)
    raise TimeoutError(f"job {job.get('id')} ({job.get('type')}) still {status} after {timeout:g} s")
