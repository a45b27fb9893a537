"""The operators' calls of the API as data (see calls.py): dead letters, queues, workers, purge,
stats, and the server's health, readiness, metrics, contract and the caller's role.

Inputs the server would refuse are refused here first with a ValueError naming them, so that a
typo is found before a round trip; the server still checks everything.
"""

from __future__ import annotations

import string
from typing import Any, Dict, List, Optional, TypedDict

from .calls import Call, ListFilter, field, job, jobs_of, list_jobs, names, seg
from .job import Job, Page

FINISHED_STATUSES = ("completed", "failed", "cancelled")
NAME_CHARS = frozenset(string.ascii_letters + string.digits + "_-.:")


class QueueInfo(TypedDict):
    """A queue of GET /queues: its name, its jobs by status, whether it is paused."""
    name: str
    counts: Dict[str, int]
    paused: bool


class WorkerInfo(TypedDict):
    """A worker of GET /workers; state is active, quiet, stopping or lost."""
    id: str
    host: str
    pid: int
    version: str
    types: List[str]
    queues: List[str]
    concurrency: int
    running: int
    state: str
    first_seen_at: str
    last_beat_at: str


def _name(value: Any, what: str) -> str:
    """A queue or type name as docs/api.md allows it. Checked here because jobqd decodes a path's
    %2F before it routes, so a name with a slash would reach no route (404), not be refused."""
    if not isinstance(value, str) or not 1 <= len(value) <= 128 or not set(value) <= NAME_CHARS:
        raise ValueError(f"{what} must be 1 to 128 letters, digits and _ - . :, got {value!r}")
    return seg(value, what)


def _int_in(value: Any, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{what} must be a whole number from {low} to {high}, got {value!r}")
    return value


def _filter_body(**fields: Optional[str]) -> Dict[str, str]:
    body = {}
    for key, value in fields.items():
        if value is not None:
            if not isinstance(value, str) or not value:
                raise ValueError(f"{key} must be a non-empty string, got {value!r}")
            body[key] = value
    return body


def dead_letters(**query: Any) -> Call[Page]:
    if query.get("status") is not None:
        raise ValueError("dead letters are the failed jobs: the listing takes no status")
    return list_jobs("/dead-letters", **query)


def retry_dead_letter(job_id: str) -> Call[Job]:
    return Call("POST", f"/dead-letters/{seg(job_id)}/retry", decode=job)


def retry_dead_letters(queue: Optional[str], type: Optional[str], user_id: Optional[str],
                       tag: Optional[str]) -> Call[List[Job]]:
    body = _filter_body(queue=queue, type=type, user_id=user_id, tag=tag)
    return Call("POST", "/dead-letters/retry", body, decode=jobs_of)


def purge_dead_letters() -> Call[int]:
    return Call("DELETE", "/dead-letters", decode=field("purged"))


def queues() -> Call[List[QueueInfo]]:
    return Call("GET", "/queues", decode=field("queues"))


def set_paused(name: str, paused: bool) -> Call[QueueInfo]:
    return Call("POST", f"/queues/{_name(name, 'queue')}/{'pause' if paused else 'resume'}")


def workers() -> Call[List[WorkerInfo]]:
    return Call("GET", "/workers", decode=field("workers"))


def scale_worker(worker_id: str, concurrency: int) -> Call[WorkerInfo]:
    body = {"concurrency": _int_in(concurrency, "concurrency", 1, 10_000)}
    return Call("POST", f"/workers/{seg(worker_id, 'worker_id')}/scale", body)


def command_worker(worker_id: str, command: str) -> Call[WorkerInfo]:
    if command not in ("quiet", "stop"):
        raise ValueError(f"a worker command is quiet or stop, got {command!r}")
    return Call("POST", f"/workers/{seg(worker_id, 'worker_id')}/{command}")


def purge(older_than_s: Optional[int], statuses: ListFilter) -> Call[int]:
    body: Dict[str, Any] = {}
    if older_than_s is not None:
        body["older_than_s"] = _int_in(older_than_s, "older_than_s", 0, 2 ** 53)
    listed = names(statuses, "statuses")
    if listed is not None:
        wrong = [s for s in listed if s not in FINISHED_STATUSES]
        if wrong:
            raise ValueError(f"statuses must be finished ones ({', '.join(FINISHED_STATUSES)}), got {statuses!r}")
        body["statuses"] = listed
    return Call("POST", "/maintenance/purge", body, decode=field("purged"))


def stats(type: Optional[str] = None) -> Call[Dict[str, Any]]:
    return Call("GET", "/stats" if type is None else f"/stats/{_name(type, 'type')}")


def throughput() -> Call[Dict[str, Any]]:
    return Call("GET", "/throughput")


def health() -> Call[Dict[str, Any]]:
    return Call("GET", "/health")


def ready() -> Call[Dict[str, Any]]:
    return Call("GET", "/ready")


def metrics() -> Call[str]:
    return Call("GET", "/metrics", raw=True)


def openapi() -> Call[Dict[str, Any]]:
    return Call("GET", "/openapi.json")


def whoami() -> Call[Dict[str, Any]]:
    return Call("GET", "/whoami")
