"""A task's job options: the defaults given to @app.task and the ``_name=`` options of one submit,
as the fields of POST /jobs. Seconds on the Python side, milliseconds on the wire."""

import datetime
from typing import Any, Dict, Mapping, Optional

# Options of @app.task(...) -> their job field, and whether the value is seconds to send as ms.
TASK_DEFAULTS = {"queue": ("queue", False), "priority": ("priority", False), "timeout": ("timeout_ms", True),
                 "soft_timeout": ("soft_timeout_ms", True), "max_attempts": ("max_attempts", False),
                 "backoff": ("backoff", False), "result_ttl": ("result_ttl_ms", True)}

# Options of one submit, given as _name=... so that they never collide with the task's own arguments.
SUBMIT_OPTIONS = {**TASK_DEFAULTS, "delay": ("delay_ms", True), "run_at": ("run_at", False),
                  "user_id": ("user_id", False), "tags": ("tags", False),
                  "idempotency_key": ("idempotency_key", False), "depends_on": ("depends_on", False),
                  "callback_url": ("callback_url", False)}


def job_fields(options: Mapping[str, Any], known: Mapping[str, Any], what: str) -> Dict[str, Any]:
    """The POST /jobs fields of these options; TypeError naming an unknown one."""
    fields: Dict[str, Any] = {}
    for name, value in options.items():
        if name not in known:
            raise TypeError(f"{what}: unknown option {name!r} (known: {', '.join(sorted(known))})")
        if value is None:
            continue
        field, seconds = known[name]
        fields[field] = _wire(name, value, seconds)
    return fields


def _wire(name: str, value: Any, seconds: bool) -> Any:
    if seconds:
        if isinstance(value, datetime.timedelta):
            value = value.total_seconds()
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise TypeError(f"option {name!r} must be seconds (a number >= 0 or a timedelta), got {value!r}")
        return int(round(value * 1000))
    if name == "run_at" and isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            raise TypeError("option 'run_at' must be an aware datetime (with a tzinfo)")
        return value.isoformat()
    if name == "depends_on":
        return [getattr(v, "id", v) for v in value]
    if name == "tags":
        return list(value)
    if name == "user_id":
        return str(value)
    return value


def split_submit_options(kwargs: Dict[str, Any]) -> Dict[str, Any]:
    """Takes the ``_name`` options out of a submit's keyword arguments; -> {name: value}."""
    options = {k[1:]: kwargs.pop(k) for k in [k for k in kwargs if k.startswith("_")]}
    return options


def merged(defaults: Mapping[str, Any], options: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    out = dict(defaults)
    out.update(options or {})
    return out
