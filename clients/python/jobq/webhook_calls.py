"""The webhooks' calls of the API as data (see calls.py): the settings, and the outbox's deliveries
listed, read, retried and deleted (docs/api.md "Webhooks").

A delivery is a WebhookDelivery, typed as a Job's fields are: its times are aware UTC datetimes.
Inputs the server would refuse are refused here first with a ValueError naming them.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any, Dict, Iterator, List, Mapping, Optional, TypedDict

from .calls import Call, seg
from .job import parse_time

DELIVERY_STATUSES = ("pending", "dead")
MAX_LIMIT = 1000  # the server's largest page of deliveries


class WebhookHook(TypedDict):
    """A [[webhooks]] table of the server's config: queue and type None match any, events [] every one."""
    url: str
    queue: Optional[str]
    type: Optional[str]
    events: List[str]


class WebhookSettings(TypedDict):
    """GET /webhooks: enabled when the server has a webhook_secret (never shown), its hooks, how many
    sends a delivery gets before it is dead, and how long a dead one is kept."""
    enabled: bool
    hooks: List[WebhookHook]
    max_attempts: int
    dead_retention_ms: int


@dataclasses.dataclass(frozen=True)
class WebhookDelivery:
    """One delivery of the outbox: a job's end (event job.completed, job.failed or job.cancelled)
    to be POSTed to url. status is pending (waiting for its first send or a retry; next_at is when)
    or dead (out of attempts, or refused for good; next_at None). claimed: a sender holds it now.
    last_status is the HTTP status of the last answer, last_error what went wrong last. body, the
    JSON it sends, comes with one delivery read by id (and with retry and delete), else None."""

    id: str
    job_id: str
    url: str
    event: str
    status: str
    attempts: int
    next_at: Optional[datetime]
    claimed: bool
    created_at: Optional[datetime]
    updated_at: Optional[datetime]
    last_status: Optional[int]
    last_error: Optional[str]
    body: Any = None

    @classmethod
    def from_json(cls, answer: Mapping[str, Any]) -> WebhookDelivery:
        """From the API's JSON object; a field the server adds later is left out."""
        return cls(id=str(answer["id"]), job_id=str(answer["job_id"]), url=str(answer["url"]),
                   event=str(answer["event"]), status=str(answer["status"]),
                   attempts=int(answer.get("attempts") or 0), next_at=parse_time(answer.get("next_at")),
                   claimed=bool(answer.get("claimed")), created_at=parse_time(answer.get("created_at")),
                   updated_at=parse_time(answer.get("updated_at")), last_status=answer.get("last_status"),
                   last_error=answer.get("last_error"), body=answer.get("body"))


class WebhookDeliveryPage:
    """One page of deliveries, newest first: ``deliveries`` and the ``next_cursor`` to pass for the
    next (None at the end)."""

    __slots__ = ("deliveries", "next_cursor")

    def __init__(self, deliveries: List[WebhookDelivery], next_cursor: Optional[str]) -> None:
        self.deliveries = deliveries
        self.next_cursor = next_cursor

    def __iter__(self) -> Iterator[WebhookDelivery]:
        return iter(self.deliveries)

    def __len__(self) -> int:
        return len(self.deliveries)

    def __repr__(self) -> str:
        return f"WebhookDeliveryPage({len(self.deliveries)} deliveries, next_cursor={self.next_cursor!r})"


def _delivery(answer: Any) -> WebhookDelivery:
    return WebhookDelivery.from_json(answer)


def _page(answer: Any) -> WebhookDeliveryPage:
    return WebhookDeliveryPage([WebhookDelivery.from_json(d) for d in answer["deliveries"]],
                               answer.get("next_cursor"))


def _path(delivery_id: str, tail: str = "") -> str:
    return f"/webhooks/deliveries/{seg(delivery_id, 'delivery_id')}{tail}"


def _text(value: Any, what: str) -> Optional[str]:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ValueError(f"{what} must be a non-empty string, got {value!r}")
    return value


def settings() -> Call[WebhookSettings]:
    return Call("GET", "/webhooks")


def deliveries(status: Optional[str], job_id: Optional[str], limit: Optional[int],
               cursor: Optional[str]) -> Call[WebhookDeliveryPage]:
    if status is not None and status not in DELIVERY_STATUSES:
        raise ValueError(f"a delivery's status is pending or dead, got {status!r}")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT):
        raise ValueError(f"limit must be a whole number from 1 to {MAX_LIMIT}, got {limit!r}")
    params: Dict[str, Any] = {"status": status, "job_id": _text(job_id, "job_id"), "limit": limit,
                              "cursor": _text(cursor, "cursor")}
    return Call("GET", "/webhooks/deliveries", params=params, decode=_page)


def delivery(delivery_id: str) -> Call[WebhookDelivery]:
    return Call("GET", _path(delivery_id), decode=_delivery)


def retry(delivery_id: str) -> Call[WebhookDelivery]:
    return Call("POST", _path(delivery_id, "/retry"), decode=_delivery)


def delete(delivery_id: str) -> Call[WebhookDelivery]:
    return Call("DELETE", _path(delivery_id), decode=_delivery)
