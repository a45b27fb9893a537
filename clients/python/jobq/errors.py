"""Errors from a jobq server: one class per API error code, all of them JobqError."""

from __future__ import annotations

from typing import Any, Dict, Optional, Type


class JobqError(Exception):
    """An error answer from jobqd, or no answer at all.

    status: the HTTP status (None when the server could not be reached); code: the API's error code
    (``invalid_argument``, ``not_found``...); message: the server's words; details: the error's
    ``details`` object (``{"field": ...}`` for bad input), {} when it has none.
    """

    def __init__(self, message: str, status: Optional[int] = None, code: str = "error",
                 details: Optional[Dict[str, Any]] = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details: Dict[str, Any] = details or {}

    def __str__(self) -> str:
        where = f" [{self.status} {self.code}]" if self.status is not None else f" [{self.code}]"
        field = self.details.get("field")
        return f"{self.message}{where}" + (f" (field: {field})" if field else "")


class InvalidArgument(JobqError):
    """400: bad input. ``field`` names the offending field or query parameter when the server did."""

    @property
    def field(self) -> Optional[str]:
        return self.details.get("field")


class Unauthorized(JobqError):
    """401: no API key, or an unknown one."""


class Forbidden(JobqError):
    """403: the key's role may not call this route."""


class NotFound(JobqError):
    """404: an unknown job (or worker), or no such route."""


class Conflict(JobqError):
    """409: a stale lease token, or a transition the state table forbids."""


class PayloadTooLarge(JobqError):
    """413: the request body, the payload or the result is over the server's limit."""


class QuotaExceeded(JobqError):
    """429: the submit is over its user's quota (the server's tiers); nothing was stored.

    retry_after: seconds until the quota has room for this request (from ``details.retry_after_ms``,
    which the ``Retry-After`` header rounds up), or None when it never will (more jobs at once than
    the whole quota).
    """

    @property
    def retry_after(self) -> Optional[float]:
        ms = self.details.get("retry_after_ms")
        return ms / 1000 if isinstance(ms, (int, float)) and ms > 0 else None


class Unavailable(JobqError):
    """503: the store failed and nothing was written, too many streams, or the server is stopping."""


class ServerFault(JobqError):
    """500: a bug in the server; its log has the request id."""


class ConnectionFailed(JobqError):
    """The server could not be reached, or the connection broke before an answer came."""

    def __init__(self, message: str) -> None:
        super().__init__(message, status=None, code="connection_failed")


class JobCancelled(Exception):
    """Raised inside a handler (by ``job.raise_if_cancelled()``) once the job's cancel was asked for.

    Not an error of the job: the worker reports it so that the server records the job as cancelled.
    """


class PermanentFailure(Exception):
    """Raise it from a handler to fail the job with no further attempts (``retryable: false``)."""


class Retry(Exception):
    """Raise it from a handler to end this attempt and run the job again.

    after: seconds until the next attempt (None: the job's backoff decides, as for any failure);
    count_attempt: whether this attempt counts toward max_attempts (True: as a failure would; False:
    the job may retry this way without using its attempts up). The error recorded on the job is
    ``Retry: <message>`` either way. Sent as ``retry_in_ms`` and ``count_attempt`` of POST
    /jobs/{id}/fail (docs/api.md), only when they differ from a plain failure.
    """

    def __init__(self, message: str = "", *, after: "float | None" = None, count_attempt: bool = True) -> None:
        if after is not None and not after >= 0:
            raise ValueError(f"Retry(after=...) must be 0 or more seconds, got {after!r}")
        super().__init__(message or (f"again in {after:g} s" if after is not None else "asked for by the handler"))
        self.after = after
        self.count_attempt = count_attempt


class TaskFailed(Exception):
    """A task's job ended failed or cancelled; ``job`` is the job as the server (or eager mode) left it."""

    def __init__(self, message: str, job: object) -> None:
        super().__init__(message)
        self.job = job


_BY_CODE: Dict[str, Type[JobqError]] = {
    "invalid_argument": InvalidArgument,
    "bad_request": InvalidArgument,
    "unauthorized": Unauthorized,
    "forbidden": Forbidden,
    "not_found": NotFound,
    "route_not_found": NotFound,
    "conflict": Conflict,
    "payload_too_large": PayloadTooLarge,
    "quota_exceeded": QuotaExceeded,
    "unavailable": Unavailable,
    "internal": ServerFault,
}

_BY_STATUS: Dict[int, Type[JobqError]] = {400: InvalidArgument, 401: Unauthorized, 403: Forbidden, 404: NotFound, 409: Conflict,
              413: PayloadTooLarge, 429: QuotaExceeded, 500: ServerFault, 503: Unavailable}


def error_from_answer(status: int, body: Any, text: str) -> JobqError:
    """The exception for an error answer: status, the parsed JSON body (or None), the raw text."""
    err = body.get("error") if isinstance(body, dict) else None
    if isinstance(err, dict):
        code = str(err.get("code") or f"http_{status}")
        message = str(err.get("message") or f"HTTP {status}")
        details: Dict[str, Any] = err["details"] if isinstance(err.get("details"), dict) else {}
    else:
        code, message, details = f"http_{status}", (text.strip() or f"HTTP {status}")[:500], {}
    cls = _BY_CODE.get(code) or _BY_STATUS.get(status) or JobqError
    return cls(message, status=status, code=code, details=details)
