"""The cron schedules' calls of the API as data (see calls.py): create, list, read, change, pause,
resume, delete and trigger (docs/api.md "Schedules")."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, TypedDict

from .calls import Call, field, job, seg
from .job import Job


class ScheduleInfo(TypedDict):
    """A schedule as the API answers it; times are RFC 3339 text or None."""
    name: str
    cron: str
    timezone: str
    job: Dict[str, Any]
    overlap: str
    misfire: str
    misfire_limit: int
    paused: bool
    next_run_at: Optional[str]
    last_run_at: Optional[str]
    last_job_id: Optional[str]
    created_at: str
    updated_at: str


def _path(name: str, tail: str = "") -> str:
    return f"/schedules/{seg(name, 'name')}{tail}"


def _policies(fields: Dict[str, Any], overlap: Optional[str], misfire: Optional[str],
              misfire_limit: Optional[int], paused: Optional[bool]) -> Dict[str, Any]:
    for key, value in (("overlap", overlap), ("misfire", misfire), ("misfire_limit", misfire_limit),
                       ("paused", paused)):
        if value is not None:
            fields[key] = value
    return fields


def create(name: str, cron: str, job_fields: Mapping[str, Any], timezone: Optional[str],
           overlap: Optional[str], misfire: Optional[str], misfire_limit: Optional[int],
           paused: Optional[bool]) -> Call[ScheduleInfo]:
    body: Dict[str, Any] = {"name": name, "cron": cron, "job": dict(job_fields)}
    if timezone is not None:
        body["timezone"] = timezone
    return Call("POST", "/schedules", _policies(body, overlap, misfire, misfire_limit, paused))


def list_all() -> Call[List[ScheduleInfo]]:
    return Call("GET", "/schedules", decode=field("schedules"))


def get(name: str) -> Call[ScheduleInfo]:
    return Call("GET", _path(name))


def update(name: str, changes: Mapping[str, Any]) -> Call[ScheduleInfo]:
    if not changes:
        raise ValueError("give at least one change: cron, timezone, job, overlap, misfire, misfire_limit, paused")
    return Call("PATCH", _path(name), dict(changes))


def set_paused(name: str, paused: bool) -> Call[ScheduleInfo]:
    return Call("POST", _path(name, "/pause" if paused else "/resume"))


def delete(name: str) -> Call[ScheduleInfo]:
    return Call("DELETE", _path(name))


def trigger(name: str) -> Call[Job]:
    return Call("POST", _path(name, "/trigger"), decode=job)
