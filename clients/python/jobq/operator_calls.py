"""The operators' calls of the API as data (see calls.py): dead letters, queues, the limits of queues
and of types, workers, purge, stats, and the server's health, readiness, metrics, contract and the
caller's role.

Inputs the server would refuse are refused here first with a ValueError naming them, so that a
typo is found before a round trip; the server still checks everything.
"""

from __future__ import annotations

import string
from typing import Any, Dict, List, Mapping, Optional, Tuple, TypedDict, Union

from .calls import Call, ListFilter, field, job, jobs_of, list_jobs, names, seg
from .job import Job, Page

FINISHED_STATUSES = ("completed", "failed", "cancelled")
NAME_CHARS = frozenset(string.ascii_letters + string.digits + "_-.:")
LIMIT_SCOPES = ("queue", "type")
MAX_RUNNING_CAP = 1_000_000_000  # include/jobq/limits.h's bounds
MAX_RATE_COUNT = 1_000_000
MAX_RATE_PERIOD_MS = 31 * 24 * 3600 * 1000


class StartRate(TypedDict):
    """At most count starts per period_ms: bursts of up to count, then one every period_ms / count."""
    count: int
    period_ms: int


class Limits(TypedDict):
    """The limits of a queue or of a type: max_running 0 is no cap, starts None is no rate."""
    max_running: int
    starts: Optional[StartRate]


class LimitSetting(Limits):
    """The limits of one scope ("queue" or "type") and name; none set reads as Limits with neither."""
    scope: str
    name: str


# What set_*_limits takes for starts: (count, period_ms), or a StartRate as the server answers it.
Starts = Union[Tuple[int, int], StartRate, None]


class QueueInfo(TypedDict):
    """A queue of GET /queues: its name, its jobs by status, whether it is paused, its limits."""
    name: str
    counts: Dict[str, int]
    paused: bool
    limits: Limits


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


def limits() -> Call[List[LimitSetting]]:
    return Call("GET", "/limits", decode=field("limits"))


def _limits_path(scope: str, name: str) -> str:
    if scope not in LIMIT_SCOPES:
        raise ValueError(f"a limit's scope is queue or type, got {scope!r}")
    return f"/{scope}s/{_name(name, scope)}/limits"


def _starts(starts: Starts) -> Optional[Dict[str, int]]:
    if starts is None:
        return None
    if isinstance(starts, Mapping):
        if set(starts) != {"count", "period_ms"}:
            raise ValueError(f"starts must be (count, period_ms) or {{'count', 'period_ms'}}, got {starts!r}")
        count, period_ms = starts["count"], starts["period_ms"]
    elif isinstance(starts, tuple) and len(starts) == 2:
        count, period_ms = starts
    else:
        raise ValueError(f"starts must be (count, period_ms) or {{'count', 'period_ms'}}, got {starts!r}")
    return {"count": _int_in(count, "starts' count", 1, MAX_RATE_COUNT),
            "period_ms": _int_in(period_ms, "starts' period_ms", 1, MAX_RATE_PERIOD_MS)}


def scope_limits(scope: str, name: str) -> Call[LimitSetting]:
    return Call("GET", _limits_path(scope, name))


def set_limits(scope: str, name: str, max_running: Optional[int], starts: Starts) -> Call[LimitSetting]:
    """PUT: the whole setting; a part given as None is left out, which the server reads as none."""
    path = _limits_path(scope, name)
    body: Dict[str, Any] = {}
    if max_running is not None:
        body["max_running"] = _int_in(max_running, "max_running", 0, MAX_RUNNING_CAP)
    rate = _starts(starts)
    if rate is not None:
        body["starts"] = rate
    return Call("PUT", path, body)


def clear_limits(scope: str, name: str) -> Call[LimitSetting]:
    return Call("DELETE", _limits_path(scope, name))


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
