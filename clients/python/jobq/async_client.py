"""The whole client on asyncio, for ``async def`` code (FastAPI endpoints): every call of Client,
awaited. What each call sends and how its answer reads is calls.py's (and worker_calls.py's,
operator_calls.py's), shared with Client; the connections are asyncio streams (async_transport.py),
kept alive in a small pool.

    async with jobq.AsyncClient() as jobs:
        job = await jobs.submit("generate_report", {"user": 42})
        async with await jobs.watch(job.id) as changes:
            async for event, state in changes:
                print(event, state.progress)
"""

from __future__ import annotations

from typing import Any, AsyncIterator, Dict, Iterable, List, Mapping, Optional, TypeVar

from . import calls, operator_calls as ops, schedule_calls as sc, webhook_calls as wh, worker_calls as wc
from .async_event_stream import AsyncEventStream
from .async_transport import AsyncTransport
from .calls import Call, ListFilter, Steps
from .client import resolve
from .job import Job, Page
from .operator_calls import LimitSetting, QueueInfo, Starts, WorkerInfo
from .schedule_calls import ScheduleInfo
from .webhook_calls import WebhookDelivery, WebhookDeliveryPage, WebhookSettings
from .worker_calls import AckAndLease

T = TypeVar("T")


class AsyncClient:
    """As Client (url, api_key, timeout; the same methods, answers and errors), each call a
    coroutine. Use one on one event loop at a time; ``await close()`` (or ``async with``) closes
    its pooled connections."""

    def __init__(self, url: Optional[str] = None, api_key: Optional[str] = None, timeout: float = 30.0) -> None:
        url, api_key = resolve(url, api_key)
        self._http = AsyncTransport(url, api_key, timeout)
        self.url = url

    async def close(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _run(self, call: Call[T]) -> T:
        return call.decode(await self._http.request(call.method, call.path, call.body, params=call.params,
                                                    timeout=call.timeout, raw=call.raw))

    async def _drive(self, steps: Steps[T]) -> T:
        try:
            call = next(steps)
            while True:
                call = steps.send(await self._run(call))
        except StopIteration as done:
            result: T = done.value
            return result

    # Producers: see Client's methods of the same names.

    async def submit(self, type: str, payload: Any = None, **options: Any) -> Job:
        return await self._run(calls.submit(type, payload, options))

    async def submit_many(self, jobs: Iterable[Mapping[str, Any]], ids_only: bool = False) -> List[Any]:
        if ids_only:
            ids: List[Any] = await self._run(calls.submit_many_ids(jobs))
            return ids
        submitted: List[Any] = await self._run(calls.submit_many(jobs))
        return submitted

    async def get(self, job_id: str) -> Job:
        return await self._run(calls.get(job_id))

    async def list(self, status: ListFilter = None, queue: Optional[str] = None, type: Optional[str] = None,
                   user_id: Optional[str] = None, tag: Optional[str] = None, created_after: Any = None,
                   created_before: Any = None, sort: Optional[str] = None, order: Optional[str] = None,
                   limit: Optional[int] = None, cursor: Optional[str] = None, offset: Optional[int] = None) -> Page:
        return await self._run(calls.list_jobs(
            status=status, queue=queue, type=type, user_id=user_id, tag=tag, created_after=created_after,
            created_before=created_before, sort=sort, order=order, limit=limit, cursor=cursor, offset=offset))

    async def iter_jobs(self, page_size: int = 100, **filters: Any) -> AsyncIterator[Job]:
        """Every job matching the filters of list(), page after page: ``async for job in ...``."""
        cursor = None
        while True:
            page = await self.list(limit=page_size, cursor=cursor, **filters)
            for job in page.jobs:
                yield job
            cursor = page.next_cursor
            if not cursor:
                return

    async def update(self, job_id: str, **fields: Any) -> Job:
        return await self._run(calls.update(job_id, fields))

    async def cancel(self, job_id: str) -> Job:
        return await self._run(calls.cancel(job_id))

    async def delete(self, job_id: str) -> Optional[Job]:
        return await self._run(calls.delete(job_id))

    async def retry(self, job_id: str) -> Job:
        return await self._run(calls.retry(job_id))

    async def wait(self, job_id: str, timeout: float = 30.0) -> Job:
        return await self._drive(calls.wait(job_id, timeout))

    async def watch(self, job_id: str, timeout: Optional[float] = None) -> AsyncEventStream:
        """The job's live changes: open when this returns (NotFound here for an unknown id), then an
        async iterator of (event, Job) from ("snapshot", job) that ends once the job is finished or
        purged. timeout: seconds of silence that fail the reading (default 60)."""
        return await self._stream(calls.watch_path(job_id), None, timeout, until_finished=True)

    async def events(self, queue: ListFilter = None, type: ListFilter = None, event: ListFilter = None,
                     timeout: Optional[float] = None) -> AsyncEventStream:
        """Every event from now on, optionally of some queues, types or event names; runs until
        closed or until the server ends it."""
        return await self._stream("/events", calls.events_params(queue, type, event), timeout, until_finished=False)

    async def _stream(self, path: str, params: Optional[Dict[str, Any]], timeout: Optional[float],
                      until_finished: bool) -> AsyncEventStream:
        silence = timeout or calls.STREAM_SILENCE_S
        conn, length, chunked = await self._http.open_stream(path, params, timeout=silence)
        return AsyncEventStream(conn, length, chunked, path, until_finished, silence)

    # Workers.

    async def lease(self, worker_id: str, queues: ListFilter = None, types: ListFilter = None,
                    max_jobs: int = 1, lease_ms: Optional[int] = None, wait_ms: int = 0) -> List[Job]:
        return await self._run(wc.lease(worker_id, queues, types, max_jobs, lease_ms, wait_ms))

    async def heartbeat(self, job_id: str, lease_token: str, **progress: Any) -> Dict[str, Any]:
        return await self._run(wc.heartbeat(job_id, lease_token, progress))

    async def progress(self, job_id: str, lease_token: str, **progress: Any) -> Dict[str, Any]:
        return await self._run(wc.heartbeat(job_id, lease_token, progress, route="progress"))

    async def complete(self, job_id: str, lease_token: str, result: Any = None) -> Job:
        return await self._run(wc.complete(job_id, lease_token, result))

    async def fail(self, job_id: str, lease_token: str, error: str, traceback: Optional[str] = None,
                   retryable: bool = True, retry_in_ms: Optional[int] = None,
                   count_attempt: Optional[bool] = None) -> Job:
        return await self._run(wc.fail(job_id, lease_token, error, traceback, retryable, retry_in_ms, count_attempt))

    async def release(self, job_id: str, lease_token: str) -> Job:
        return await self._run(wc.release(job_id, lease_token))

    async def ack(self, complete: Iterable[Mapping[str, Any]] = (), fail: Iterable[Mapping[str, Any]] = (),
                  ids_only: bool = False) -> List[Dict[str, Any]]:
        return await self._run(wc.ack(complete, fail, ids_only))

    async def ack_and_lease(self, worker_id: str, complete: Iterable[Mapping[str, Any]] = (),
                            fail: Iterable[Mapping[str, Any]] = (), queues: ListFilter = None,
                            types: ListFilter = None, max_jobs: int = 1, lease_ms: Optional[int] = None,
                            wait_ms: int = 0) -> AckAndLease:
        return await self._run(wc.ack_and_lease(worker_id, complete, fail, queues, types, max_jobs,
                                                lease_ms, wait_ms))

    async def heartbeats(self, jobs: Iterable[Mapping[str, Any]]) -> List[Dict[str, Any]]:
        return await self._run(wc.heartbeats(jobs))

    async def beat(self, worker_id: str, **fields: Any) -> Dict[str, Any]:
        return await self._run(wc.beat(worker_id, fields))

    # Operators.

    async def dead_letters(self, queue: Optional[str] = None, type: Optional[str] = None,
                           user_id: Optional[str] = None, tag: Optional[str] = None, created_after: Any = None,
                           created_before: Any = None, sort: Optional[str] = None, order: Optional[str] = None,
                           limit: Optional[int] = None, cursor: Optional[str] = None,
                           offset: Optional[int] = None) -> Page:
        return await self._run(ops.dead_letters(
            queue=queue, type=type, user_id=user_id, tag=tag, created_after=created_after,
            created_before=created_before, sort=sort, order=order, limit=limit, cursor=cursor, offset=offset))

    async def retry_dead_letter(self, job_id: str) -> Job:
        return await self._run(ops.retry_dead_letter(job_id))

    async def retry_dead_letters(self, queue: Optional[str] = None, type: Optional[str] = None,
                                 user_id: Optional[str] = None, tag: Optional[str] = None) -> List[Job]:
        return await self._run(ops.retry_dead_letters(queue, type, user_id, tag))

    async def purge_dead_letters(self) -> int:
        return await self._run(ops.purge_dead_letters())

    async def queues(self) -> List[QueueInfo]:
        return await self._run(ops.queues())

    async def pause_queue(self, name: str) -> QueueInfo:
        return await self._run(ops.set_paused(name, True))

    async def resume_queue(self, name: str) -> QueueInfo:
        return await self._run(ops.set_paused(name, False))

    # Limits of queues and of types: a cap on how many run, a rate of starts.

    async def limits(self) -> List[LimitSetting]:
        return await self._run(ops.limits())

    async def queue_limits(self, name: str) -> LimitSetting:
        return await self._run(ops.scope_limits("queue", name))

    async def set_queue_limits(self, name: str, max_running: Optional[int] = None,
                               starts: Starts = None) -> LimitSetting:
        """As Client.set_queue_limits: replaces the queue's limits; a part not given is removed."""
        return await self._run(ops.set_limits("queue", name, max_running, starts))

    async def clear_queue_limits(self, name: str) -> LimitSetting:
        return await self._run(ops.clear_limits("queue", name))

    async def type_limits(self, name: str) -> LimitSetting:
        return await self._run(ops.scope_limits("type", name))

    async def set_type_limits(self, name: str, max_running: Optional[int] = None,
                              starts: Starts = None) -> LimitSetting:
        return await self._run(ops.set_limits("type", name, max_running, starts))

    async def clear_type_limits(self, name: str) -> LimitSetting:
        return await self._run(ops.clear_limits("type", name))

    # Cron schedules (docs/api.md "Schedules").

    async def create_schedule(self, name: str, cron: str, type: str, payload: Any = None, *,
                        timezone: Optional[str] = None, overlap: Optional[str] = None,
                        misfire: Optional[str] = None, misfire_limit: Optional[int] = None,
                        paused: Optional[bool] = None, **job_options: Any) -> ScheduleInfo:
        """A schedule that submits a job of this type and payload at each due time of `cron` (5
        fields, 6 with seconds first, or @hourly, @daily...) in `timezone` (IANA, default UTC).
        job_options: the job fields of submit() but delay_ms, run_at, depends_on and
        idempotency_key. overlap: allow, skip or cancel_previous; misfire: skip, run_once or run_all.
        -> the schedule, with its next_run_at."""
        return await self._run(sc.create(name, cron, calls.job_body(type, payload, job_options), timezone,
                                   overlap, misfire, misfire_limit, paused))

    async def schedules(self) -> List[ScheduleInfo]:
        """Every schedule, by name."""
        return await self._run(sc.list_all())

    async def schedule(self, name: str) -> ScheduleInfo:
        return await self._run(sc.get(name))

    async def update_schedule(self, name: str, **changes: Any) -> ScheduleInfo:
        """Changes any of cron, timezone, job (the whole template), overlap, misfire, misfire_limit,
        paused; a new cron or timezone computes next_run_at from now."""
        return await self._run(sc.update(name, changes))

    async def pause_schedule(self, name: str) -> ScheduleInfo:
        return await self._run(sc.set_paused(name, True))

    async def resume_schedule(self, name: str) -> ScheduleInfo:
        """Fires again from now on: due times passed while paused do not run."""
        return await self._run(sc.set_paused(name, False))

    async def delete_schedule(self, name: str) -> ScheduleInfo:
        """-> the schedule as it was; the jobs it submitted stay."""
        return await self._run(sc.delete(name))

    async def trigger_schedule(self, name: str) -> Job:
        """Submits the schedule's job now, off its timetable; -> the job."""
        return await self._run(sc.trigger(name))

    # Webhooks (docs/api.md "Webhooks"): the settings, and the outbox of deliveries.

    async def webhooks(self) -> WebhookSettings:
        return await self._run(wh.settings())

    async def webhook_deliveries(self, status: Optional[str] = None, job_id: Optional[str] = None,
                                 limit: Optional[int] = None, cursor: Optional[str] = None) -> WebhookDeliveryPage:
        """As Client.webhook_deliveries: one page of the outbox, newest first, without bodies."""
        return await self._run(wh.deliveries(status, job_id, limit, cursor))

    async def webhook_delivery(self, delivery_id: str) -> WebhookDelivery:
        return await self._run(wh.delivery(delivery_id))

    async def retry_webhook_delivery(self, delivery_id: str) -> WebhookDelivery:
        return await self._run(wh.retry(delivery_id))

    async def delete_webhook_delivery(self, delivery_id: str) -> WebhookDelivery:
        return await self._run(wh.delete(delivery_id))

    async def workers(self) -> List[WorkerInfo]:
        return await self._run(ops.workers())

    async def scale_worker(self, worker_id: str, concurrency: int) -> WorkerInfo:
        return await self._run(ops.scale_worker(worker_id, concurrency))

    async def quiet_worker(self, worker_id: str) -> WorkerInfo:
        return await self._run(ops.command_worker(worker_id, "quiet"))

    async def stop_worker(self, worker_id: str) -> WorkerInfo:
        return await self._run(ops.command_worker(worker_id, "stop"))

    async def purge(self, older_than_s: Optional[int] = None, statuses: ListFilter = None) -> int:
        return await self._run(ops.purge(older_than_s, statuses))

    async def stats(self, type: Optional[str] = None) -> Dict[str, Any]:
        return await self._run(ops.stats(type))

    async def throughput(self) -> Dict[str, Any]:
        return await self._run(ops.throughput())

    async def health(self) -> Dict[str, Any]:
        return await self._run(ops.health())

    async def ready(self) -> Dict[str, Any]:
        return await self._run(ops.ready())

    async def metrics(self) -> str:
        return await self._run(ops.metrics())

    async def openapi(self) -> Dict[str, Any]:
        return await self._run(ops.openapi())

    async def whoami(self) -> Dict[str, Any]:
        return await self._run(ops.whoami())
