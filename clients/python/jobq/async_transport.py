"""Requests to one server on asyncio: a pool of kept-alive AsyncHttpConnections, and event streams on
connections of their own. The async twin of transport.py, sharing its Endpoint (targets, headers,
bodies) and its reading of answers (answer())."""

from __future__ import annotations

import asyncio
import time
from typing import Any, List, Mapping, Optional, Tuple

from .async_http import AsyncHttpConnection
from .endpoint import Endpoint
from .errors import ConnectionFailed
from .http_connection import ProtocolError, StaleConnection, tls_context
from .transport import IDLE_RECONNECT_S, answer


class AsyncTransport(Endpoint):
    """For one event loop at a time: no lock, since a checkout and a checkin never await. A pooled
    connection belongs to the loop that opened it, so a request on another loop (a second
    asyncio.run) drops the pool instead of using sockets that loop cannot serve."""

    MAX_IDLE = 8  # idle connections kept; more are closed

    def __init__(self, url: str, api_key: Optional[str] = None, timeout: float = 30.0) -> None:
        super().__init__(url, api_key, timeout)
        self._tls = tls_context() if self.https else None
        self._idle: List[Tuple[AsyncHttpConnection, float]] = []  # (connection, last used), the newest last
        self._loop: Optional[asyncio.AbstractEventLoop] = None

    def new_connection(self) -> AsyncHttpConnection:
        return AsyncHttpConnection(self.host, self.port, self._tls)

    def idle_connections(self) -> List[AsyncHttpConnection]:
        """The pooled connections, for tests and diagnostics."""
        return [conn for conn, _ in self._idle]

    async def aclose(self) -> None:
        idle, self._idle = self._idle, []
        for conn, _ in idle:
            await conn.aclose()

    def _checkout(self) -> Tuple[AsyncHttpConnection, bool]:
        """-> (connection, whether it was used before)."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            idle, self._idle, self._loop = self._idle, [], loop
            for old, _ in idle:
                old.abandon()
        now = time.monotonic()
        while self._idle:
            conn, last_used = self._idle.pop()
            if now - last_used <= IDLE_RECONNECT_S:
                return conn, True
            conn.close()
        return self.new_connection(), False

    def _checkin(self, conn: AsyncHttpConnection, will_close: bool) -> None:
        """Back to the pool, unless the server closes it or the pool is full."""
        if not will_close and len(self._idle) < self.MAX_IDLE:
            self._idle.append((conn, time.monotonic()))
        else:
            conn.close()

    async def request(self, method: str, path: str, body: Any = None, params: Optional[Mapping[str, Any]] = None,
                      timeout: Optional[float] = None, raw: bool = False) -> Any:
        """As Transport.request: the parsed answer, a JobqError for an error one; a request on a
        reused connection that the server had closed is sent once more, on a new one."""
        target, headers, data = self.prepare(path, body, params)
        timeout = self.timeout if timeout is None else timeout
        conn, reused = self._checkout()
        while True:
            try:
                status, data_in, will_close = await asyncio.wait_for(
                    conn.request(method, target, headers, data), timeout)
            except BaseException as e:  # cancelled, if not the connection's: the answer may be half read
                conn.close()
                if isinstance(e, StaleConnection) and reused:
                    conn, reused = self.new_connection(), False
                    continue
                if isinstance(e, asyncio.TimeoutError):
                    raise ConnectionFailed(f"{method} {target}: no answer within {timeout:g} s") from None
                self.raise_failed(method, target, e)
            self._checkin(conn, will_close)
            return answer(status, data_in, raw)

    async def open_stream(self, path: str, params: Optional[Mapping[str, Any]] = None,
                          timeout: Optional[float] = None) -> Tuple[AsyncHttpConnection, Optional[int], bool]:
        """Opens a Server-Sent Events stream on a connection of its own; -> (connection, its body's
        length, whether chunked), the head read. A refusal raises the JobqError of its answer."""
        target = self.target(path, params)
        conn = self.new_connection()
        timeout = self.timeout if timeout is None else timeout
        try:
            await asyncio.wait_for(conn.send("GET", target, self.headers({"Accept": "text/event-stream"})), timeout)
            status, length, chunked, _ = await asyncio.wait_for(conn.head(stale_possible=False), timeout)
            if status != 200:
                refusal = await asyncio.wait_for(conn.read_body(length, chunked), timeout)
                answer(status, refusal)
                raise ConnectionFailed(f"GET {target} answered {status} without a stream")
        except (OSError, ProtocolError, asyncio.TimeoutError) as e:
            conn.close()
            raise ConnectionFailed(f"GET {target} to {self.host}:{self.port}: {type(e).__name__}: {e}") from e
        except BaseException:
            conn.close()
            raise
        return conn, length, chunked
