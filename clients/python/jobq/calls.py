"""Every call of the API as data, for the sync Client and the AsyncClient alike: what to send (a Call)
and how to read the answer (its decode). A call that takes several requests (wait) is a generator
that yields Calls and is sent their decoded answers; each client drives it with its own I/O, so the
two clients differ only in how bytes move.

Producers' and streams' calls are here; workers' in worker_calls.py, operators' in operator_calls.py.
"""

from __future__ import annotations

import json
import time
import urllib.parse
from typing import Any, Callable, Dict, Generator, Generic, Iterable, List, Mapping, Optional, Sequence, \
    TypeVar, Union

from .errors import ConnectionFailed
from .job import FINISHED, Job, Page

MAX_WAIT_MS = 300_000  # the server's cap on one GET /jobs/{id}/wait
ANSWER_SLACK_S = 15.0  # on top of a long poll's own wait, for the answer to come back
STREAM_SILENCE_S = 60.0  # the server sends a keep-alive every 15 s

T = TypeVar("T")
ListFilter = Union[str, Sequence[str], None]


def _same(answer: Any) -> Any:
    return answer


class Call(Generic[T]):
    """One request: method, path (under /api/v1), JSON body, query params, timeout (None: the
    client's), raw (the answer is text, not JSON), and decode(answer) -> what the call returns."""

    __slots__ = ("method", "path", "body", "params", "timeout", "raw", "decode")

    def __init__(self, method: str, path: str, body: Any = None, params: Optional[Mapping[str, Any]] = None,
                 timeout: Optional[float] = None, decode: Callable[[Any], T] = _same, raw: bool = False) -> None:
        self.method = method
        self.path = path
        self.body = body
        self.params = params
        self.timeout = timeout
        self.decode = decode
        self.raw = raw

    def __repr__(self) -> str:
        return f"Call({self.method} {self.path})"


Steps = Generator[Call[Any], Any, T]  # yields Calls, is sent their decoded answers, returns the result


def seg(value: Any, what: str = "id") -> str:
    """An id as a path segment: percent-encoded, so an id cannot reach another route."""
    text = "" if value is None or isinstance(value, bool) else str(value)
    if not text:
        raise ValueError(f"{what} must be a non-empty string, got {value!r}")
    return urllib.parse.quote(text, safe="")


def names(value: Union[str, Iterable[str], None], what: str) -> Optional[List[str]]:
    """A list of names from one name or several; a lone string is one name, not its letters."""
    if value is None:
        return None
    items = [value] if isinstance(value, str) else list(value)
    for item in items:
        if not isinstance(item, str) or not item:
            raise ValueError(f"{what} must be names (non-empty strings), got {value!r}")
    return items


def job(answer: Any) -> Job:
    return Job(answer)


def jobs_of(answer: Any) -> List[Job]:
    return [Job(j) for j in answer["jobs"]]


def page(answer: Any) -> Page:
    return Page([Job(j) for j in answer["jobs"]], answer.get("next_cursor"))


def field(key: str) -> Callable[[Any], Any]:
    return lambda answer: answer[key]


# Producers.

def job_body(type: str, payload: Any, options: Mapping[str, Any]) -> Dict[str, Any]:
    """A job's fields as POST /jobs takes them (a schedule's template too)."""
    if not isinstance(type, str) or not type:
        raise ValueError(f"a job's type must be a non-empty string, got {type!r}")
    spec: Dict[str, Any] = {"type": type}
    if payload is not None:
        spec["payload"] = payload
    spec.update(options)
    return spec


def submit(type: str, payload: Any, options: Mapping[str, Any]) -> Call[Job]:
    return Call("POST", "/jobs", job_body(type, payload, options), decode=job)


def submit_many(specs: Iterable[Mapping[str, Any]]) -> Call[List[Job]]:
    return Call("POST", "/jobs/batch", {"jobs": [dict(s) for s in specs]}, decode=jobs_of)


def submit_many_ids(specs: Iterable[Mapping[str, Any]]) -> Call[List[str]]:
    return Call("POST", "/jobs/batch", {"jobs": [dict(s) for s in specs], "answer": "ids"}, decode=field("ids"))


def get(job_id: str) -> Call[Job]:
    return Call("GET", f"/jobs/{seg(job_id)}", decode=job)


def list_jobs(path: str = "/jobs", **query: Any) -> Call[Page]:
    """A page of GET /jobs (or /dead-letters); None values are left out."""
    return Call("GET", path, params=query, decode=page)


def update(job_id: str, fields: Mapping[str, Any]) -> Call[Job]:
    return Call("PATCH", f"/jobs/{seg(job_id)}", dict(fields), decode=job)


def cancel(job_id: str) -> Call[Job]:
    return Call("POST", f"/jobs/{seg(job_id)}/cancel", decode=job)


def _job_or_none(answer: Any) -> Optional[Job]:
    return Job(answer) if answer is not None else None


def delete(job_id: str) -> Call[Optional[Job]]:
    return Call("DELETE", f"/jobs/{seg(job_id)}", decode=_job_or_none)


def retry(job_id: str) -> Call[Job]:
    return Call("POST", f"/jobs/{seg(job_id)}/retry", decode=job)


def wait(job_id: str, timeout: float) -> Steps[Job]:
    """Long polls of at most MAX_WAIT_MS until the job is finished or the time is up; -> the Job."""
    if timeout < 0:
        raise ValueError(f"timeout must be >= 0 seconds, got {timeout!r}")
    path = f"/jobs/{seg(job_id)}/wait"
    deadline = time.monotonic() + timeout
    while True:
        left_ms = max(0, int((deadline - time.monotonic()) * 1000))
        chunk = min(left_ms, MAX_WAIT_MS)
        answer: Job = yield Call("GET", path, params={"timeout_ms": chunk},
                                 timeout=chunk / 1000 + ANSWER_SLACK_S, decode=job)
        if answer.finished or chunk == left_ms:
            return answer


# Streams (Server-Sent Events).

def watch_path(job_id: str) -> str:
    return f"/jobs/{seg(job_id)}/events"


def events_params(queue: ListFilter, type: ListFilter, event: ListFilter) -> Dict[str, Any]:
    return {"queue": names(queue, "queue"), "type": names(type, "type"), "event": names(event, "event")}


def stream_message(path: str, name: str, data: str) -> Job:
    """The Job of one stream message; ConnectionFailed for data that is not JSON or an error event."""
    try:
        message = json.loads(data)
    except ValueError:
        raise ConnectionFailed(f"stream {path} sent data that is not JSON: {data[:200]!r}") from None
    if name == "error":
        raise ConnectionFailed(f"stream {path} ended by the server: {data[:200]}")
    return Job(message.get("job") or {}) if isinstance(message, dict) else Job()


def ends_stream(name: str, job: Job) -> bool:
    """Whether a job's watch ends after this message."""
    return name == "purged" or job.get("status") in FINISHED
