"""An open event stream on asyncio: ``async for event, job in stream``; ``await stream.aclose()`` or
``async with`` hangs up. The messages are read by sse.SseParser and calls.stream_message, as the
sync EventStream's are."""

from __future__ import annotations

import asyncio
from typing import AsyncGenerator, AsyncIterator, Optional, Tuple

from . import calls
from .async_http import AsyncHttpConnection
from .errors import ConnectionFailed
from .http_connection import ProtocolError
from .job import Job
from .sse import SseParser


class AsyncEventStream:
    def __init__(self, conn: AsyncHttpConnection, length: Optional[int], chunked: bool, path: str,
                 until_finished: bool, silence_s: float) -> None:
        self._conn = conn
        self._path = path
        self._messages = self._read(conn.body(length, chunked), until_finished, silence_s)

    def __aiter__(self) -> AsyncEventStream:
        return self

    async def __anext__(self) -> Tuple[str, Job]:
        return await self._messages.__anext__()

    async def aclose(self) -> None:
        await self._messages.aclose()
        await self._conn.aclose()

    async def __aenter__(self) -> AsyncEventStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def _read(self, body: AsyncIterator[bytes], until_finished: bool,
                    silence_s: float) -> AsyncGenerator[Tuple[str, Job], None]:
        parser, pending = SseParser(), b""
        try:
            while True:
                try:
                    # The server's keep-alives every 15 s reset this; silence past it is a dead link.
                    chunk = await asyncio.wait_for(body.__anext__(), silence_s)
                except StopAsyncIteration:
                    return
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for raw in lines:
                    message = parser.feed(raw.decode("utf-8", errors="replace").rstrip("\r"))
                    if message is None:
                        continue
                    job = calls.stream_message(self._path, *message)
                    yield message[0], job
                    if until_finished and calls.ends_stream(message[0], job):
                        return
        except asyncio.TimeoutError:
            raise ConnectionFailed(f"stream {self._path}: nothing for {silence_s:g} s") from None
        except (OSError, ProtocolError) as e:
            raise ConnectionFailed(f"stream {self._path}: {type(e).__name__}: {e}") from e
        finally:
            self._conn.close()
