"""A job as the server shows it: the API's JSON object, with typed attributes.

``job["created_at"]`` is the field as it came over the wire (text); ``job.created_at`` is the
same field typed (a timezone-aware UTC datetime). Keeping the JSON underneath means a Job still
prints, compares and serialises as the server sent it, and a field added to the API later is
readable at once by item.
"""

from __future__ import annotations

import enum
from datetime import datetime, timezone
from typing import Any, Callable, Dict, Generic, Iterator, List, Optional, TypeVar, Union, overload


class JobStatus(str, enum.Enum):
    """A job's status. A str, so ``job.status == "failed"`` holds as it did with plain text."""

    WAITING = "waiting"
    SCHEDULED = "scheduled"
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"

    def __str__(self) -> str:  # the value, as in the API, not "JobStatus.FAILED"
        return self.value

    def __hash__(self) -> int:  # as its text's, since it equals its text (Enum hashes the name)
        return hash(self.value)

    @property
    def finished(self) -> bool:
        return self in FINISHED


FINISHED = frozenset((JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED))


def parse_time(value: Any) -> Optional[datetime]:
    """An API time (RFC 3339 text, or milliseconds since the epoch) -> an aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, tz=timezone.utc)
    if not isinstance(value, str):
        raise ValueError(f"not a time: {value!r}")
    text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    parsed = datetime.fromisoformat(text)  # Python 3.9's takes the server's "...05.123+00:00"
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def _status(value: Any) -> Optional[JobStatus]:
    return None if value is None else JobStatus(value)


T = TypeVar("T")


def _as_sent(value: Any) -> Any:
    return value


def _listed(value: Any) -> List[str]:
    return list(value or ())


class _Field(Generic[T]):
    """A typed attribute that reads the JSON field of its name through convert, or as it was sent
    when there is none (typed by the subscript: ``_Field[Optional[str]]()``). Read-only, as a
    property: the JSON is what changes."""

    def __init__(self, convert: Callable[[Any], T] = _as_sent) -> None:
        self._convert = convert
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, obj: None, owner: Optional[type] = None) -> _Field[T]: ...

    @overload
    def __get__(self, obj: Dict[str, Any], owner: Optional[type] = None) -> T: ...

    def __get__(self, obj: Optional[Dict[str, Any]], owner: Optional[type] = None) -> Union[T, _Field[T]]:
        if obj is None:
            return self
        return self._convert(obj.get(self._name))

    def __set__(self, obj: Dict[str, Any], value: Any) -> None:
        raise AttributeError(f"property {self._name!r} of {type(obj).__name__!r} object has no setter")


class JobError(Dict[str, Any]):
    """One failed attempt's error: message, traceback, attempt, at (a datetime)."""

    @property
    def message(self) -> str:
        return str(self.get("message") or "")

    traceback = _Field[Optional[str]]()
    attempt = _Field[Optional[int]]()
    at = _Field(parse_time)


class Job(Dict[str, Any]):
    """The job's JSON object (``job["status"]``), with typed attributes (``job.status``).

    Fields are those of docs/api.md; one the server left out reads as None. ``status`` is a
    JobStatus, the ``*_at`` fields and ``run_at`` are aware UTC datetimes, ``error`` and ``errors``
    are JobErrors.
    """

    __slots__ = ()

    # Identity and routing.
    @property
    def id(self) -> str:
        return str(self.get("id") or "")

    type = _Field[Optional[str]]()
    queue = _Field[Optional[str]]()
    priority = _Field[Optional[int]]()
    payload = _Field[Any]()
    status = _Field(_status)

    # Progress, as the worker reports it.
    stage = _Field[Optional[str]]()
    progress = _Field[Optional[float]]()
    progress_message = _Field[Optional[str]]()
    processed_items = _Field[Optional[int]]()
    total_items = _Field[Optional[int]]()

    # Attempts and limits.
    attempt = _Field[Optional[int]]()
    max_attempts = _Field[Optional[int]]()
    backoff = _Field[Optional[Dict[str, Any]]]()
    timeout_ms = _Field[Optional[int]]()
    soft_timeout_ms = _Field[Optional[int]]()

    # The lease.
    worker_id = _Field[Optional[str]]()
    lease_token = _Field[Optional[str]]()
    lease_expires_at = _Field(parse_time)
    cancel_requested = _Field(bool)

    # Outcome.
    result = _Field[Any]()

    @property
    def error(self) -> Optional[JobError]:
        value = self.get("error")
        return JobError(value) if isinstance(value, dict) else None

    @property
    def errors(self) -> List[JobError]:
        return [JobError(e) for e in self.get("errors") or () if isinstance(e, dict)]

    # The producer's labels.
    user_id = _Field[Optional[str]]()
    tier = _Field[Optional[str]]()  # the user's quota tier, as the submit resolved it
    tags = _Field(_listed)
    idempotency_key = _Field[Optional[str]]()
    depends_on = _Field(_listed)
    callback_url = _Field[Optional[str]]()

    # Times.
    run_at = _Field(parse_time)
    created_at = _Field(parse_time)
    updated_at = _Field(parse_time)
    started_at = _Field(parse_time)
    completed_at = _Field(parse_time)
    expires_at = _Field(parse_time)  # when the server purges it, set as it finishes
    result_ttl_ms = _Field[Optional[int]]()

    @property
    def finished(self) -> bool:
        """True once the job is completed, failed or cancelled."""
        return self.get("status") in FINISHED

    def __repr__(self) -> str:
        return f"Job(id={self.get('id')!r}, type={self.get('type')!r}, status={self.get('status')!r})"


class Page:
    """One page of a listing: ``jobs`` and the ``next_cursor`` to pass for the next (None at the end)."""

    __slots__ = ("jobs", "next_cursor")

    def __init__(self, jobs: List[Job], next_cursor: Optional[str]) -> None:
        self.jobs = jobs
        self.next_cursor = next_cursor

    def __iter__(self) -> Iterator[Job]:
        return iter(self.jobs)

    def __len__(self) -> int:
        return len(self.jobs)

    def __repr__(self) -> str:
        return f"Page({len(self.jobs)} jobs, next_cursor={self.next_cursor!r})"
