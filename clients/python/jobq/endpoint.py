"""The server a client talks to, and what every request to it carries: the target under /api/v1 with
its query, the headers (the key), the JSON body; and what a request whose exchange failed raises.
Shared by the sync and the async transports."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any, Dict, Mapping, NoReturn, Optional, Tuple

from .errors import ConnectionFailed
from .http_connection import ProtocolError, StaleConnection


class Endpoint:
    def __init__(self, url: str, api_key: Optional[str] = None, timeout: float = 30.0) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"url must be http://host[:port] or https://host[:port], got {url!r}")
        self.url = url
        self.https = parts.scheme == "https"
        self.host: str = parts.hostname
        self.port: int = parts.port or (443 if self.https else 80)
        self.prefix = parts.path.rstrip("/") + "/api/v1"
        self.api_key = api_key
        self.timeout = timeout

    def headers(self, extra: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
        h = {"Accept": "application/json", "User-Agent": "jobq-python"}
        if self.api_key:
            h["Authorization"] = f"Bearer {self.api_key}"
        h.update(extra or {})
        return h

    def target(self, path: str, params: Optional[Mapping[str, Any]] = None) -> str:
        full = self.prefix + path
        if params:
            items = [(k, query_value(v)) for k, v in params.items() if v is not None]
            if items:
                full += "?" + urllib.parse.urlencode(items)
        return full

    def prepare(self, path: str, body: Any, params: Optional[Mapping[str, Any]]) \
            -> Tuple[str, Dict[str, str], Optional[bytes]]:
        """-> (target, headers, body bytes or None) of one JSON request."""
        data = None if body is None else json.dumps(body, allow_nan=False).encode()
        headers = self.headers({"Content-Type": "application/json"} if data is not None else None)
        return self.target(path, params), headers, data

    def raise_failed(self, method: str, target: str, e: BaseException) -> NoReturn:
        """Called in the except block of a request whose exchange raised e, its connection closed:
        raises the ConnectionFailed of an answer this client cannot read (a ProtocolError, or a
        StaleConnection that is not sent again) or of the socket's error (said with the server's
        address); anything else (a cancel, an interrupt) as it is."""
        if isinstance(e, (StaleConnection, ProtocolError)):
            raise ConnectionFailed(f"{method} {target}: {e}") from e
        if isinstance(e, OSError):
            raise ConnectionFailed(f"{method} {target} to {self.host}:{self.port}: {e}") from e
        raise


def query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, set, frozenset)):
        return ",".join(str(v) for v in value)
    return str(value)
