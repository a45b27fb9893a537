"""The producer's and the worker's calls to jobqd, one method per route of docs/api.md."""

import json
import os
import time
import urllib.parse

from .errors import ConnectionFailed
from .job import FINISHED, Job, Page
from .sse import read_events
from .transport import Transport

DEFAULT_URL = "http://127.0.0.1:8080"
MAX_WAIT_MS = 300_000  # the server's cap on one GET /jobs/{id}/wait
ANSWER_SLACK_S = 15.0  # on top of a long poll's own wait, for the answer to come back


class Client:
    """A jobq client. Thread-safe; connections are kept alive in a small pool.

    url: the server, ``http://host:port`` (default $JOBQ_URL, else http://127.0.0.1:8080);
    api_key: sent as ``Authorization: Bearer KEY`` (default $JOBQ_API_KEY, else none);
    timeout: seconds to wait for an answer (long polls add their own wait to it).
    Every call raises a JobqError subclass for an error answer (see jobq.errors).
    """

    def __init__(self, url=None, api_key=None, timeout=30.0):
        url = url or os.environ.get("JOBQ_URL") or DEFAULT_URL
        api_key = api_key if api_key is not None else os.environ.get("JOBQ_API_KEY") or None
        self._http = Transport(url, api_key, timeout)
        self.url = url

    def close(self):
        self._http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _job(self, method, path, body=None, **kw):
        return Job(self._http.request(method, path, body, **kw))

    # Producers.

    def submit(self, type, payload=None, **options):
        """Submits one job; -> the Job. options: the job fields of POST /jobs (queue, priority,
        max_attempts, backoff, timeout_ms, soft_timeout_ms, delay_ms, run_at, user_id, tags,
        idempotency_key, depends_on, callback_url)."""
        return self._job("POST", "/jobs", _spec(type, payload, options))

    def submit_many(self, jobs, ids_only=False):
        """Submits 1 to 1,000 jobs at once, all or none. jobs: dicts with ``type`` and the fields of
        submit(). -> the Jobs, in order; with ids_only, just their ids (a smaller, faster answer)."""
        body = {"jobs": [dict(j) for j in jobs]}
        if ids_only:
            body["answer"] = "ids"
            return self._http.request("POST", "/jobs/batch", body)["ids"]
        answer = self._http.request("POST", "/jobs/batch", body)
        return [Job(j) for j in answer["jobs"]]

    def get(self, job_id):
        return self._job("GET", f"/jobs/{_id(job_id)}")

    def list(self, status=None, queue=None, type=None, user_id=None, tag=None, created_after=None,
             created_before=None, sort=None, order=None, limit=None, cursor=None, offset=None):
        """One page of jobs, newest first by default; -> Page(jobs, next_cursor).
        status may be one status or several (a list)."""
        params = {"status": status, "queue": queue, "type": type, "user_id": user_id, "tag": tag,
                  "created_after": created_after, "created_before": created_before, "sort": sort,
                  "order": order, "limit": limit, "cursor": cursor, "offset": offset}
        answer = self._http.request("GET", "/jobs", params=params)
        return Page([Job(j) for j in answer["jobs"]], answer.get("next_cursor"))

    def iter_jobs(self, page_size=100, **filters):
        """Every job matching the filters of list(), page after page."""
        cursor = None
        while True:
            page = self.list(limit=page_size, cursor=cursor, **filters)
            yield from page.jobs
            cursor = page.next_cursor
            if not cursor:
                return

    def update(self, job_id, **fields):
        """Changes priority, run_at or delay_ms of a job that is not running yet."""
        return self._job("PATCH", f"/jobs/{_id(job_id)}", fields)

    def cancel(self, job_id):
        """Cancels a job: at once if it has not started, else by asking its worker (cancel_requested)."""
        return self._job("POST", f"/jobs/{_id(job_id)}/cancel")

    def delete(self, job_id):
        """Removes a finished job (-> None), or cancels an active one (-> the Job)."""
        answer = self._http.request("DELETE", f"/jobs/{_id(job_id)}")
        return Job(answer) if answer is not None else None

    def retry(self, job_id):
        """Queues a failed or cancelled job again, its attempts reset."""
        return self._job("POST", f"/jobs/{_id(job_id)}/retry")

    def wait(self, job_id, timeout=30.0):
        """Waits up to timeout seconds for the job to finish; -> the Job, finished or as it is then."""
        deadline = time.monotonic() + timeout
        while True:
            left_ms = max(0, int((deadline - time.monotonic()) * 1000))
            chunk = min(left_ms, MAX_WAIT_MS)
            job = self._job("GET", f"/jobs/{_id(job_id)}/wait", params={"timeout_ms": chunk},
                            timeout=chunk / 1000 + ANSWER_SLACK_S)
            if job.finished or chunk == left_ms:
                return job

    def watch(self, job_id, timeout=None):
        """Live changes of one job over Server-Sent Events: an iterator of (event, Job), starting
        with ("snapshot", job as it is now), that ends once the job is completed, failed, cancelled
        or purged. The stream is open when this returns (an unknown id raises NotFound here).

        timeout: seconds of silence after which reading fails with ConnectionFailed (the server
        sends a keep-alive every 15 s, so the default of 60 s only trips on a dead connection).
        """
        return self._stream(f"/jobs/{_id(job_id)}/events", None, timeout, until_finished=True)

    def events(self, queue=None, type=None, event=None, timeout=None):
        """Every event from now on (the stream is open when this returns), optionally only of some
        queues, types or event names (each one name or a list): an iterator of (event, Job) that
        runs until the caller closes it or the server ends the stream."""
        params = {"queue": queue, "type": type, "event": event}
        return self._stream("/events", params, timeout, until_finished=False)

    def _stream(self, path, params, timeout, until_finished):
        conn, resp = self._http.open_stream(path, params, timeout=timeout or 60.0)
        return EventStream(conn, _read_stream(conn, resp, path, until_finished))

    # Workers.

    def lease(self, worker_id, queues=None, types=None, max_jobs=1, lease_ms=None, wait_ms=0):
        """Takes up to max_jobs ready jobs, waiting up to wait_ms for one; -> Jobs with lease_token."""
        body = _lease_body(worker_id, queues, types, max_jobs, lease_ms, wait_ms)
        answer = self._http.request("POST", "/lease", body, timeout=wait_ms / 1000 + ANSWER_SLACK_S)
        return [Job(j) for j in answer["jobs"]]

    def heartbeat(self, job_id, lease_token, **progress):
        """Renews the lease, with any of progress, progress_message, stage, processed_items and
        total_items; -> {"cancel_requested", "soft_timeout_passed", "lease_expires_at"}."""
        return self._http.request("POST", f"/jobs/{_id(job_id)}/heartbeat",
                                  {"lease_token": lease_token, **progress})

    def progress(self, job_id, lease_token, **progress):
        """Reports progress (and renews the lease); the answer is heartbeat()'s."""
        return self._http.request("POST", f"/jobs/{_id(job_id)}/progress",
                                  {"lease_token": lease_token, **progress})

    def complete(self, job_id, lease_token, result=None):
        return self._job("POST", f"/jobs/{_id(job_id)}/complete",
                         {"lease_token": lease_token, "result": result})

    def fail(self, job_id, lease_token, error, traceback=None, retryable=True, retry_in_ms=None,
             count_attempt=None):
        """Fails the attempt. retry_in_ms: when the job is retried, its next attempt runs that many ms
        from now instead of after the backoff; count_attempt=False: this attempt does not count toward
        max_attempts (the error is still recorded). Both are sent only when given."""
        body = {"lease_token": lease_token, "error": error, "retryable": retryable}
        if traceback:
            body["traceback"] = traceback
        if retry_in_ms is not None:
            body["retry_in_ms"] = retry_in_ms
        if count_attempt is not None:
            body["count_attempt"] = count_attempt
        return self._job("POST", f"/jobs/{_id(job_id)}/fail", body)

    def release(self, job_id, lease_token):
        """Gives back a leased job this worker did not start: queued again, its attempt not counted."""
        return self._job("POST", f"/jobs/{_id(job_id)}/release", {"lease_token": lease_token})

    def ack(self, complete=(), fail=(), ids_only=False):
        """Completes and fails many jobs in one call; -> the per-job results of POST /ack (with
        ids_only, without each job in its result)."""
        body = {"complete": list(complete), "fail": list(fail)}
        if ids_only:
            body["answer"] = "ids"
        return self._http.request("POST", "/ack", body)["results"]

    def ack_and_lease(self, worker_id, complete=(), fail=(), queues=None, types=None, max_jobs=1,
                      lease_ms=None, wait_ms=0):
        """ack() and lease() in one call: reports these outcomes and leases up to max_jobs more.
        -> (results, jobs, lease_error): the per-job results without the jobs, the Jobs leased, and
        the error that kept the lease from being served (None when it was)."""
        body = {"complete": list(complete), "fail": list(fail), "answer": "ids",
                "lease": _lease_body(worker_id, queues, types, max_jobs, lease_ms, wait_ms)}
        answer = self._http.request("POST", "/ack", body, timeout=wait_ms / 1000 + ANSWER_SLACK_S)
        return answer["results"], [Job(j) for j in answer["jobs"]], answer.get("lease_error")

    def heartbeats(self, jobs):
        """Renews many leases in one call. jobs: dicts with id, lease_token and any progress fields
        of heartbeat(). -> per job, in order, {"id", "ok", "cancel_requested", "soft_timeout_passed",
        "lease_expires_at"} or {"id", "ok": False, "error": {"code", "message"}}."""
        return self._http.request("POST", "/heartbeats", {"jobs": list(jobs)})["results"]

    def beat(self, worker_id, **fields):
        """A worker's beat (types, queues, concurrency, running, host, pid, version);
        -> {"command": "run"|"quiet"|"stop", "concurrency": N}."""
        return self._http.request("POST", f"/workers/{_id(worker_id)}/beat", fields)

    # Operators.

    def stats(self):
        return self._http.request("GET", "/stats")

    def workers(self):
        return self._http.request("GET", "/workers")["workers"]


class EventStream:
    """An open event stream: iterate it for (event, Job); close() (or a with block) hangs up."""

    def __init__(self, conn, messages):
        self._conn = conn
        self._messages = messages

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._messages)

    def close(self):
        self._messages.close()
        self._conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _read_stream(conn, resp, path, until_finished):
    try:
        for name, data in read_events(resp):
            try:
                message = json.loads(data)
            except ValueError:
                raise ConnectionFailed(f"stream {path} sent data that is not JSON: {data[:200]!r}") from None
            if name == "error":
                raise ConnectionFailed(f"stream {path} ended by the server: {data[:200]}")
            job = Job(message.get("job") or {}) if isinstance(message, dict) else Job()
            yield name, job
            if until_finished and (name == "purged" or job.get("status") in FINISHED):
                return
    except OSError as e:
        raise ConnectionFailed(f"stream {path}: {type(e).__name__}: {e}") from e
    finally:
        conn.close()


def _spec(type, payload, options):
    spec = {"type": type}
    if payload is not None:
        spec["payload"] = payload
    spec.update(options)
    return spec


def _id(value):
    """An id as a path segment: percent-encoded, so an id cannot reach another route."""
    return urllib.parse.quote(str(value), safe="")


def _lease_body(worker_id, queues, types, max_jobs, lease_ms, wait_ms):
    body = {"worker_id": worker_id, "max_jobs": max_jobs, "wait_ms": wait_ms}
    if queues is not None:
        body["queues"] = list(queues)
    if types is not None:
        body["types"] = list(types)
    if lease_ms is not None:
        body["lease_ms"] = lease_ms
    return body
