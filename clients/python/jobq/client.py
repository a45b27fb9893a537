"""The producer's, the worker's and the operator's calls to jobqd, one method per route of docs/api.md.
What each sends and how its answer reads is in calls.py, worker_calls.py and operator_calls.py (shared
with AsyncClient); this file is the blocking I/O."""

from __future__ import annotations

import os
from typing import Any, Dict, Generator, Iterable, Iterator, List, Mapping, Optional, Tuple, TypeVar

from . import calls, operator_calls as ops, schedule_calls as sc, webhook_calls as wh, worker_calls as wc
from .calls import Call, ListFilter, Steps
from .errors import ConnectionFailed
from .event_stream import EventStream
from .job import Job, Page
from .operator_calls import LimitSetting, QueueInfo, Starts, WorkerInfo
from .schedule_calls import ScheduleInfo
from .sse import read_events
from .transport import Transport
from .webhook_calls import WebhookDelivery, WebhookDeliveryPage, WebhookSettings
from .worker_calls import AckAndLease

DEFAULT_URL = "http://127.0.0.1:8080"
T = TypeVar("T")


def resolve(url: Optional[str], api_key: Optional[str]) -> Tuple[str, Optional[str]]:
    """The server and key: the arguments, else $JOBQ_URL and $JOBQ_API_KEY, else the default URL."""
    url = url or os.environ.get("JOBQ_URL") or DEFAULT_URL
    api_key = api_key if api_key is not None else os.environ.get("JOBQ_API_KEY") or None
    return url, api_key


class Client:
    """A jobq client. Thread-safe; connections are kept alive in a small pool.

    url: the server, ``http://host:port`` (default $JOBQ_URL, else http://127.0.0.1:8080);
    api_key: sent as ``Authorization: Bearer KEY`` (default $JOBQ_API_KEY, else none);
    timeout: seconds to wait for an answer (long polls add their own wait to it).
    Every call raises a JobqError subclass for an error answer (see jobq.errors), and ValueError
    for an argument the API would refuse that can be told before sending.
    """

    def __init__(self, url: Optional[str] = None, api_key: Optional[str] = None, timeout: float = 30.0) -> None:
        url, api_key = resolve(url, api_key)
        self._http = Transport(url, api_key, timeout)
        self.url = url

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self, call: Call[T]) -> T:
        return call.decode(self._http.request(call.method, call.path, call.body, params=call.params,
                                              timeout=call.timeout, raw=call.raw))

    def _drive(self, steps: Steps[T]) -> T:
        try:
            call = next(steps)
            while True:
                call = steps.send(self._run(call))
        except StopIteration as done:
            result: T = done.value
            return result

    # Producers.

    def submit(self, type: str, payload: Any = None, **options: Any) -> Job:
        """Submits one job; -> the Job. options: the job fields of POST /jobs (queue, priority,
        max_attempts, backoff, timeout_ms, soft_timeout_ms, delay_ms, run_at, user_id, tags,
        idempotency_key, depends_on, result_ttl_ms, callback_url)."""
        return self._run(calls.submit(type, payload, options))

    def submit_many(self, jobs: Iterable[Mapping[str, Any]], ids_only: bool = False) -> List[Any]:
        """Submits 1 to 1,000 jobs at once, all or none. jobs: dicts with ``type`` and the fields of
        submit(). -> the Jobs, in order; with ids_only, just their ids (a smaller, faster answer)."""
        if ids_only:
            ids: List[Any] = self._run(calls.submit_many_ids(jobs))
            return ids
        submitted: List[Any] = self._run(calls.submit_many(jobs))
        return submitted

    def get(self, job_id: str) -> Job:
        return self._run(calls.get(job_id))

    def list(self, status: ListFilter = None, queue: Optional[str] = None, type: Optional[str] = None,
             user_id: Optional[str] = None, tag: Optional[str] = None, created_after: Any = None,
             created_before: Any = None, sort: Optional[str] = None, order: Optional[str] = None,
             limit: Optional[int] = None, cursor: Optional[str] = None, offset: Optional[int] = None) -> Page:
        """One page of jobs, newest first by default; -> Page(jobs, next_cursor).
        status may be one status or several (a list)."""
        return self._run(calls.list_jobs(
            status=status, queue=queue, type=type, user_id=user_id, tag=tag, created_after=created_after,
            created_before=created_before, sort=sort, order=order, limit=limit, cursor=cursor, offset=offset))

    def iter_jobs(self, page_size: int = 100, **filters: Any) -> Iterator[Job]:
        """Every job matching the filters of list(), page after page."""
        cursor = None
        while True:
            page = self.list(limit=page_size, cursor=cursor, **filters)
            yield from page.jobs
            cursor = page.next_cursor
            if not cursor:
                return

    def update(self, job_id: str, **fields: Any) -> Job:
        """Changes priority, run_at or delay_ms of a job that is not running yet."""
        return self._run(calls.update(job_id, fields))

    def cancel(self, job_id: str) -> Job:
        """Cancels a job: at once if it has not started, else by asking its worker (cancel_requested)."""
        return self._run(calls.cancel(job_id))

    def delete(self, job_id: str) -> Optional[Job]:
        """Removes a finished job (-> None), or cancels an active one (-> the Job)."""
        return self._run(calls.delete(job_id))

    def retry(self, job_id: str) -> Job:
        """Queues a failed or cancelled job again, its attempts reset."""
        return self._run(calls.retry(job_id))

    def wait(self, job_id: str, timeout: float = 30.0) -> Job:
        """Waits up to timeout seconds for the job to finish; -> the Job, finished or as it is then."""
        return self._drive(calls.wait(job_id, timeout))

    def watch(self, job_id: str, timeout: Optional[float] = None) -> EventStream:
        """Live changes of one job over Server-Sent Events: an iterator of (event, Job), starting
        with ("snapshot", job as it is now), that ends once the job is completed, failed, cancelled
        or purged. The stream is open when this returns (an unknown id raises NotFound here).

        timeout: seconds of silence after which reading fails with ConnectionFailed (the server
        sends a keep-alive every 15 s, so the default of 60 s only trips on a dead connection).
        """
        return self._stream(calls.watch_path(job_id), None, timeout, until_finished=True)

    def events(self, queue: ListFilter = None, type: ListFilter = None, event: ListFilter = None,
               timeout: Optional[float] = None) -> EventStream:
        """Every event from now on (the stream is open when this returns), optionally only of some
        queues, types or event names (each one name or a list): an iterator of (event, Job) that
        runs until the caller closes it or the server ends the stream."""
        return self._stream("/events", calls.events_params(queue, type, event), timeout, until_finished=False)

    def _stream(self, path: str, params: Optional[Dict[str, Any]], timeout: Optional[float],
                until_finished: bool) -> EventStream:
        conn, resp = self._http.open_stream(path, params, timeout=timeout or calls.STREAM_SILENCE_S)
        return EventStream(conn, _read_stream(conn, resp, path, until_finished))

    # Workers.

    def lease(self, worker_id: str, queues: ListFilter = None, types: ListFilter = None,
              max_jobs: int = 1, lease_ms: Optional[int] = None, wait_ms: int = 0) -> List[Job]:
        """Takes up to max_jobs ready jobs, waiting up to wait_ms for one; -> Jobs with lease_token."""
        return self._run(wc.lease(worker_id, queues, types, max_jobs, lease_ms, wait_ms))

    def heartbeat(self, job_id: str, lease_token: str, **progress: Any) -> Dict[str, Any]:
        """Renews the lease, with any of progress, progress_message, stage, processed_items and
        total_items; -> {"cancel_requested", "soft_timeout_passed", "lease_expires_at"}."""
        return self._run(wc.heartbeat(job_id, lease_token, progress))

    def progress(self, job_id: str, lease_token: str, **progress: Any) -> Dict[str, Any]:
        """Reports progress (and renews the lease); the answer is heartbeat()'s."""
        return self._run(wc.heartbeat(job_id, lease_token, progress, route="progress"))

    def complete(self, job_id: str, lease_token: str, result: Any = None) -> Job:
        return self._run(wc.complete(job_id, lease_token, result))

    def fail(self, job_id: str, lease_token: str, error: str, traceback: Optional[str] = None,
             retryable: bool = True, retry_in_ms: Optional[int] = None, count_attempt: Optional[bool] = None) -> Job:
        """Fails the attempt. retry_in_ms: when the job is retried, its next attempt runs that many ms
        from now instead of after the backoff; count_attempt=False: this attempt does not count toward
        max_attempts (the error is still recorded). Both are sent only when given."""
        return self._run(wc.fail(job_id, lease_token, error, traceback, retryable, retry_in_ms, count_attempt))

    def release(self, job_id: str, lease_token: str) -> Job:
        """Gives back a leased job this worker did not start: queued again, its attempt not counted."""
        return self._run(wc.release(job_id, lease_token))

    def ack(self, complete: Iterable[Mapping[str, Any]] = (), fail: Iterable[Mapping[str, Any]] = (),
            ids_only: bool = False) -> List[Dict[str, Any]]:
        """Completes and fails many jobs in one call; -> the per-job results of POST /ack (with
        ids_only, without each job in its result)."""
        return self._run(wc.ack(complete, fail, ids_only))

    def ack_and_lease(self, worker_id: str, complete: Iterable[Mapping[str, Any]] = (),
                      fail: Iterable[Mapping[str, Any]] = (), queues: ListFilter = None,
                      types: ListFilter = None, max_jobs: int = 1, lease_ms: Optional[int] = None,
                      wait_ms: int = 0) -> AckAndLease:
        """ack() and lease() in one call: reports these outcomes and leases up to max_jobs more.
        -> (results, jobs, lease_error): the per-job results without the jobs, the Jobs leased, and
        the error that kept the lease from being served (None when it was)."""
        return self._run(wc.ack_and_lease(worker_id, complete, fail, queues, types, max_jobs, lease_ms, wait_ms))

    def heartbeats(self, jobs: Iterable[Mapping[str, Any]]) -> List[Dict[str, Any]]:
        """Renews many leases in one call. jobs: dicts with id, lease_token and any progress fields
        of heartbeat(). -> per job, in order, {"id", "ok", "cancel_requested", "soft_timeout_passed",
        "lease_expires_at"} or {"id", "ok": False, "error": {"code", "message"}}."""
        return self._run(wc.heartbeats(jobs))

    def beat(self, worker_id: str, **fields: Any) -> Dict[str, Any]:
        """A worker's beat (types, queues, concurrency, running, host, pid, version);
        -> {"command": "run"|"quiet"|"stop", "concurrency": N}."""
        return self._run(wc.beat(worker_id, fields))

    # Operators.

    def dead_letters(self, queue: Optional[str] = None, type: Optional[str] = None,
                     user_id: Optional[str] = None, tag: Optional[str] = None, created_after: Any = None,
                     created_before: Any = None, sort: Optional[str] = None, order: Optional[str] = None,
                     limit: Optional[int] = None, cursor: Optional[str] = None,
                     offset: Optional[int] = None) -> Page:
        """One page of the dead letters (the failed jobs); the filters of list() but status."""
        return self._run(ops.dead_letters(
            queue=queue, type=type, user_id=user_id, tag=tag, created_after=created_after,
            created_before=created_before, sort=sort, order=order, limit=limit, cursor=cursor, offset=offset))

    def retry_dead_letter(self, job_id: str) -> Job:
        """Queues one dead letter again, its attempts reset (Conflict if the job is not failed)."""
        return self._run(ops.retry_dead_letter(job_id))

    def retry_dead_letters(self, queue: Optional[str] = None, type: Optional[str] = None,
                           user_id: Optional[str] = None, tag: Optional[str] = None) -> List[Job]:
        """Queues again every dead letter matching all the filters given (every one without any)."""
        return self._run(ops.retry_dead_letters(queue, type, user_id, tag))

    def purge_dead_letters(self) -> int:
        """Removes every dead letter; -> how many."""
        return self._run(ops.purge_dead_letters())

    def queues(self) -> List[QueueInfo]:
        """Every queue that holds jobs, is paused or has limits: {"name", "counts", "paused", "limits"}."""
        return self._run(ops.queues())

    def pause_queue(self, name: str) -> QueueInfo:
        """Leases nothing from the queue until resumed (it keeps its jobs and takes submits; the
        pause survives a restart); -> the queue."""
        return self._run(ops.set_paused(name, True))

    def resume_queue(self, name: str) -> QueueInfo:
        return self._run(ops.set_paused(name, False))

    # Limits of queues and of types: a cap on how many run, a rate of starts.

    def limits(self) -> List[LimitSetting]:
        """Every limit set, on queues and on types: [{"scope", "name", "max_running", "starts"}]."""
        return self._run(ops.limits())

    def queue_limits(self, name: str) -> LimitSetting:
        """The queue's limits; none set reads as max_running 0 and starts None."""
        return self._run(ops.scope_limits("queue", name))

    def set_queue_limits(self, name: str, max_running: Optional[int] = None, starts: Starts = None) -> LimitSetting:
        """Replaces the queue's limits (durable): at most max_running of its jobs running (0 or None:
        no cap), and at most count starts per period_ms, in bursts of up to count (starts is
        (count, period_ms) or {"count", "period_ms"}; None: no rate). A part not given is removed,
        so neither is the same as clear_queue_limits. -> the setting."""
        return self._run(ops.set_limits("queue", name, max_running, starts))

    def clear_queue_limits(self, name: str) -> LimitSetting:
        """Removes the queue's limits; -> the setting, now none."""
        return self._run(ops.clear_limits("queue", name))

    def type_limits(self, name: str) -> LimitSetting:
        """The limits of a job type, which hold in every queue."""
        return self._run(ops.scope_limits("type", name))

    def set_type_limits(self, name: str, max_running: Optional[int] = None, starts: Starts = None) -> LimitSetting:
        """As set_queue_limits, for the jobs of this type in every queue."""
        return self._run(ops.set_limits("type", name, max_running, starts))

    def clear_type_limits(self, name: str) -> LimitSetting:
        return self._run(ops.clear_limits("type", name))

    # Cron schedules (docs/api.md "Schedules").

    def create_schedule(self, name: str, cron: str, type: str, payload: Any = None, *,
                        timezone: Optional[str] = None, overlap: Optional[str] = None,
                        misfire: Optional[str] = None, misfire_limit: Optional[int] = None,
                        paused: Optional[bool] = None, **job_options: Any) -> ScheduleInfo:
        """A schedule that submits a job of this type and payload at each due time of `cron` (5
        fields, 6 with seconds first, or @hourly, @daily...) in `timezone` (IANA, default UTC).
        job_options: the job fields of submit() but delay_ms, run_at, depends_on and
        idempotency_key. overlap: allow, skip or cancel_previous; misfire: skip, run_once or run_all.
        -> the schedule, with its next_run_at."""
        return self._run(sc.create(name, cron, calls.job_body(type, payload, job_options), timezone,
                                   overlap, misfire, misfire_limit, paused))

    def schedules(self) -> List[ScheduleInfo]:
        """Every schedule, by name."""
        return self._run(sc.list_all())

    def schedule(self, name: str) -> ScheduleInfo:
        return self._run(sc.get(name))

    def update_schedule(self, name: str, **changes: Any) -> ScheduleInfo:
        """Changes any of cron, timezone, job (the whole template), overlap, misfire, misfire_limit,
        paused; a new cron or timezone computes next_run_at from now."""
        return self._run(sc.update(name, changes))

    def pause_schedule(self, name: str) -> ScheduleInfo:
        return self._run(sc.set_paused(name, True))

    def resume_schedule(self, name: str) -> ScheduleInfo:
        """Fires again from now on: due times passed while paused do not run."""
        return self._run(sc.set_paused(name, False))

    def delete_schedule(self, name: str) -> ScheduleInfo:
        """-> the schedule as it was; the jobs it submitted stay."""
        return self._run(sc.delete(name))

    def trigger_schedule(self, name: str) -> Job:
        """Submits the schedule's job now, off its timetable; -> the job."""
        return self._run(sc.trigger(name))

    # Webhooks (docs/api.md "Webhooks"): the settings, and the outbox of deliveries.

    def webhooks(self) -> WebhookSettings:
        """{"enabled", "hooks", "max_attempts", "dead_retention_ms"}: whether the server sends
        webhooks (it has a webhook_secret, never shown), the [[webhooks]] hooks of its config
        ({"url", "queue", "type", "events"}), how many sends a delivery gets and how long a dead one
        is kept."""
        return self._run(wh.settings())

    def webhook_deliveries(self, status: Optional[str] = None, job_id: Optional[str] = None,
                           limit: Optional[int] = None, cursor: Optional[str] = None) -> WebhookDeliveryPage:
        """One page of the outbox, newest first: the pending deliveries (waiting for their first
        send or a retry) and the dead ones; a delivered one has left it. status: pending or dead;
        limit: 1..1000 (default 50). -> WebhookDeliveryPage(deliveries, next_cursor), without
        bodies."""
        return self._run(wh.deliveries(status, job_id, limit, cursor))

    def webhook_delivery(self, delivery_id: str) -> WebhookDelivery:
        """One delivery, with the body it sends (NotFound once delivered or deleted)."""
        return self._run(wh.delivery(delivery_id))

    def retry_webhook_delivery(self, delivery_id: str) -> WebhookDelivery:
        """Sends a dead delivery again, its attempts reset; -> it, pending and due now (Conflict if
        it is pending)."""
        return self._run(wh.retry(delivery_id))

    def delete_webhook_delivery(self, delivery_id: str) -> WebhookDelivery:
        """Drops a delivery, pending or dead, so it is not sent (again); -> it as it was."""
        return self._run(wh.delete(delivery_id))

    def workers(self) -> List[WorkerInfo]:
        """The workers that beat: id, host, pid, types, queues, concurrency, running, state..."""
        return self._run(ops.workers())

    def scale_worker(self, worker_id: str, concurrency: int) -> WorkerInfo:
        """The worker's next beat is answered with this concurrency (1..10,000); -> the worker."""
        return self._run(ops.scale_worker(worker_id, concurrency))

    def quiet_worker(self, worker_id: str) -> WorkerInfo:
        """At its next beat the worker finishes what runs and leases no more; -> the worker."""
        return self._run(ops.command_worker(worker_id, "quiet"))

    def stop_worker(self, worker_id: str) -> WorkerInfo:
        """At its next beat the worker stops gracefully (not undone by a later quiet); -> the worker."""
        return self._run(ops.command_worker(worker_id, "stop"))

    def purge(self, older_than_s: Optional[int] = None, statuses: ListFilter = None) -> int:
        """Removes the finished jobs with these statuses (default completed and cancelled) that
        finished at least older_than_s seconds ago (default 0: all of them); -> how many."""
        return self._run(ops.purge(older_than_s, statuses))

    def stats(self, type: Optional[str] = None) -> Dict[str, Any]:
        """GET /stats, or with type the stats of one job type (NotFound if no job has it)."""
        return self._run(ops.stats(type))

    def throughput(self) -> Dict[str, Any]:
        """Finished attempts per second over the last 15 minutes: {"window_s", "seconds"}."""
        return self._run(ops.throughput())

    def health(self) -> Dict[str, Any]:
        return self._run(ops.health())

    def ready(self) -> Dict[str, Any]:
        """{"status": "ready"} when the store answers; Unavailable if not."""
        return self._run(ops.ready())

    def metrics(self) -> str:
        """The Prometheus text of /metrics."""
        return self._run(ops.metrics())

    def openapi(self) -> Dict[str, Any]:
        """The server's OpenAPI contract."""
        return self._run(ops.openapi())

    def whoami(self) -> Dict[str, Any]:
        """{"role", "keys"}: this client's key's role, and whether the server has keys."""
        return self._run(ops.whoami())


def _read_stream(conn: Any, resp: Any, path: str, until_finished: bool) -> Generator[Tuple[str, Job], None, None]:
    try:
        for name, data in read_events(resp):
            job = calls.stream_message(path, name, data)
            yield name, job
            if until_finished and calls.ends_stream(name, job):
                return
    except OSError as e:
        raise ConnectionFailed(f"stream {path}: {type(e).__name__}: {e}") from e
    finally:
        conn.close()
