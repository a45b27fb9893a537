"""HTTP/1.1 with keep-alive, JSON in and out: a small pool of connections (http_connection.py),
and event streams on http.client."""

from __future__ import annotations

import http.client
import json
import threading
import time
from typing import Any, List, Mapping, Optional, Tuple

from .endpoint import Endpoint
from .errors import ConnectionFailed, error_from_answer
from .http_connection import HttpConnection, StaleConnection, tls_context

# jobqd closes a kept-alive connection after 60 s without a request; reconnect well before that.
IDLE_RECONNECT_S = 45.0


class Transport(Endpoint):
    """Sends requests to one server. Thread-safe: a request takes a kept-alive connection from the
    pool (or opens one) and puts it back when its answer is read."""

    MAX_IDLE = 8  # idle connections kept; more are closed

    def __init__(self, url: str, api_key: Optional[str] = None, timeout: float = 30.0) -> None:
        super().__init__(url, api_key, timeout)
        self._tls = tls_context() if self.https else None
        self._idle: List[Tuple[HttpConnection, float]] = []  # (connection, last used), the newest last
        self._lock = threading.Lock()

    def new_connection(self, timeout: float) -> HttpConnection:
        return HttpConnection(self.host, self.port, timeout, self._tls)

    def _stream_connection(self, timeout: float) -> http.client.HTTPConnection:
        if self.https:
            return http.client.HTTPSConnection(self.host, self.port, timeout=timeout, context=self._tls)
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn, _ in idle:
            conn.close()

    def idle_connections(self) -> List[HttpConnection]:
        """The pooled connections, for tests and diagnostics."""
        with self._lock:
            return [conn for conn, _ in self._idle]

    def _checkout(self, timeout: float) -> Tuple[HttpConnection, bool]:
        """-> (connection, whether it was used before)."""
        now = time.monotonic()
        conn = None
        with self._lock:
            while self._idle and conn is None:
                candidate, last_used = self._idle.pop()
                if now - last_used <= IDLE_RECONNECT_S:
                    conn = candidate
                else:
                    candidate.close()
        if conn is None:
            return self.new_connection(timeout), False
        conn.set_timeout(timeout)
        return conn, True

    def _checkin(self, conn: HttpConnection, will_close: bool) -> None:
        """Back to the pool, unless the server closes it or the pool is full."""
        if not will_close:
            with self._lock:
                if len(self._idle) < self.MAX_IDLE:
                    self._idle.append((conn, time.monotonic()))
                    return
        conn.close()

    def request(self, method: str, path: str, body: Any = None, params: Optional[Mapping[str, Any]] = None,
                timeout: Optional[float] = None, raw: bool = False) -> Any:
        """-> the parsed JSON answer (None for an empty one; with raw, the text); raises a JobqError for
        an error answer.

        A request on a reused connection that the server had closed is sent once more, on a new one.
        """
        target, headers, data = self.prepare(path, body, params)
        timeout = self.timeout if timeout is None else timeout
        conn, reused = self._checkout(timeout)
        while True:
            try:
                status, data_in, will_close = conn.request(method, target, headers, data)
            except BaseException as e:
                conn.close()
                if isinstance(e, StaleConnection) and reused:
                    conn, reused = self.new_connection(timeout), False
                    continue
                self.raise_failed(method, target, e)
            self._checkin(conn, will_close)
            return answer(status, data_in, raw)

    def open_stream(self, path: str, params: Optional[Mapping[str, Any]] = None,
                    timeout: Optional[float] = None) -> Tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
        """Opens a Server-Sent Events stream on a connection of its own; -> (connection, response).

        The caller closes the connection. A refusal raises the JobqError of its answer.
        """
        target = self.target(path, params)
        conn = self._stream_connection(self.timeout if timeout is None else timeout)
        try:
            conn.request("GET", target, headers=self.headers({"Accept": "text/event-stream"}))
            resp = conn.getresponse()
        except (OSError, http.client.HTTPException) as e:
            conn.close()
            raise ConnectionFailed(f"GET {target} to {self.host}:{self.port}: {e}") from e
        if resp.status != 200:
            body = resp.read()
            conn.close()
            answer(resp.status, body)
            raise ConnectionFailed(f"GET {target} answered {resp.status} without a stream")
        return conn, resp


def answer(status: int, body: bytes, raw: bool = False) -> Any:
    """The answer of a request as the caller gets it: the parsed JSON (with raw, the text), or the
    JobqError of an error answer raised. Shared by the sync and the async transports."""
    text = body.decode("utf-8", errors="replace")
    if raw and 200 <= status < 300:
        return text
    parsed = None
    if body:
        try:
            parsed = json.loads(text)
        except ValueError:
            if 200 <= status < 300:
                raise ConnectionFailed(f"the server answered {status} with a body that is not JSON: "
                                       f"{text[:200]!r}") from None
    if 200 <= status < 300:
        return parsed
    raise error_from_answer(status, parsed, text)
