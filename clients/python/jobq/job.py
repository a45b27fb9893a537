"""A job as the server shows it: the API's JSON object, with typed attributes.

``job["created_at"]`` is the field as it came over the wire (text); ``job.created_at`` is the
same field typed (a timezone-aware UTC datetime). Keeping the JSON underneath means a Job still
prints, compares and serialises as the server sent it, and a field added to the API later is
readable at once by item.
"""

from __future__ import annotations

import enum
from datetime import datetime, timezone
from typing import Any, Dict, Iterator, List, Optional


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


class JobError(Dict[str, Any]):
    """One failed attempt's error: message, traceback, attempt, at (a datetime)."""

    @property
    def message(self) -> str:
        return str(self.get("message") or "")

    @property
    def traceback(self) -> Optional[str]:
        return self.get("traceback")

    @property
    def attempt(self) -> Optional[int]:
        return self.get("attempt")

    @property
    def at(self) -> Optional[datetime]:
        return parse_time(self.get("at"))


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

    @property
    def type(self) -> Optional[str]:
        return self.get("type")

    @property
    def queue(self) -> Optional[str]:
        return self.get("queue")

    @property
    def priority(self) -> Optional[int]:
        return self.get("priority")

    @property
    def payload(self) -> Any:
        return self.get("payload")

    @property
    def status(self) -> Optional[JobStatus]:
        return _status(self.get("status"))

    # Progress, as the worker reports it.
    @property
    def stage(self) -> Optional[str]:
        return self.get("stage")

    @property
    def progress(self) -> Optional[float]:
        return self.get("progress")

    @property
    def progress_message(self) -> Optional[str]:
        return self.get("progress_message")

    @property
    def processed_items(self) -> Optional[int]:
        return self.get("processed_items")

    @property
    def total_items(self) -> Optional[int]:
        return self.get("total_items")

    # Attempts and limits.
    @property
    def attempt(self) -> Optional[int]:
        return self.get("attempt")

    @property
    def max_attempts(self) -> Optional[int]:
        return self.get("max_attempts")

    @property
    def backoff(self) -> Optional[Dict[str, Any]]:
        return self.get("backoff")

    @property
    def timeout_ms(self) -> Optional[int]:
        return self.get("timeout_ms")

    @property
    def soft_timeout_ms(self) -> Optional[int]:
        return self.get("soft_timeout_ms")

    # The lease.
    @property
    def worker_id(self) -> Optional[str]:
        return self.get("worker_id")

    @property
    def lease_token(self) -> Optional[str]:
        return self.get("lease_token")

    @property
    def lease_expires_at(self) -> Optional[datetime]:
        return parse_time(self.get("lease_expires_at"))

    @property
    def cancel_requested(self) -> bool:
        return bool(self.get("cancel_requested"))

    # Outcome.
    @property
    def result(self) -> Any:
        return self.get("result")

    @property
    def error(self) -> Optional[JobError]:
        value = self.get("error")
        return JobError(value) if isinstance(value, dict) else None

    @property
    def errors(self) -> List[JobError]:
        return [JobError(e) for e in self.get("errors") or () if isinstance(e, dict)]

    # The producer's labels.
    @property
    def user_id(self) -> Optional[str]:
        return self.get("user_id")

    @property
    def tags(self) -> List[str]:
        return list(self.get("tags") or ())

    @property
    def idempotency_key(self) -> Optional[str]:
        return self.get("idempotency_key")

    @property
    def depends_on(self) -> List[str]:
        return list(self.get("depends_on") or ())

    @property
    def callback_url(self) -> Optional[str]:
        return self.get("callback_url")

    # Times.
    @property
    def run_at(self) -> Optional[datetime]:
        return parse_time(self.get("run_at"))

    @property
    def created_at(self) -> Optional[datetime]:
        return parse_time(self.get("created_at"))

    @property
    def updated_at(self) -> Optional[datetime]:
        return parse_time(self.get("updated_at"))

    @property
    def started_at(self) -> Optional[datetime]:
        return parse_time(self.get("started_at"))

    @property
    def completed_at(self) -> Optional[datetime]:
        return parse_time(self.get("completed_at"))

    @property
    def expires_at(self) -> Optional[datetime]:
        return parse_time(self.get("expires_at"))

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
