"""One HTTP/1.1 keep-alive connection on asyncio streams: the async twin of http_connection.py's
HttpConnection, built on the same request bytes and answer-head parsing (request_bytes, parse_head)."""

from __future__ import annotations

import asyncio
import ssl
from typing import AsyncIterator, Dict, Optional, Tuple

from .http_connection import MAX_HEAD, ProtocolError, StaleConnection, chunk_size, has_body, host_header, \
    parse_head, request_bytes


class AsyncHttpConnection:
    def __init__(self, host: str, port: int, tls: Optional[ssl.SSLContext] = None) -> None:
        self.host, self.port, self.tls = host, port, tls
        self.reader: Optional[asyncio.StreamReader] = None
        self.writer: Optional[asyncio.StreamWriter] = None
        self._host_header = host_header(host, port)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None
            self.reader = None

    async def aclose(self) -> None:
        """close(), and wait for the socket to be released."""
        writer = self.writer
        self.close()
        if writer is not None:
            try:
                await writer.wait_closed()
            except OSError:  # the peer had reset it: closed all the same
                pass

    def abandon(self) -> None:
        """Forgets a connection of a loop that may be gone, without touching that loop."""
        if self.writer is not None:
            transport = self.writer.transport
            self.writer = self.reader = None
            try:
                transport.abort()
            except RuntimeError:  # its loop is closed; the socket went with it
                pass

    async def send(self, method: str, target: str, headers: Dict[str, str], body: Optional[bytes] = None) -> bool:
        """Sends one request; -> whether the connection was open before (a reused one)."""
        reused = self.writer is not None
        if not reused:
            self.reader, self.writer = await asyncio.open_connection(
                self.host, self.port, ssl=self.tls, server_hostname=self.host if self.tls else None,
                limit=MAX_HEAD)
        assert self.writer is not None
        try:
            self.writer.write(request_bytes(method, target, self._host_header, headers, body))
            await self.writer.drain()
        except (BrokenPipeError, ConnectionResetError) as e:
            if not reused:
                raise
            raise StaleConnection(str(e)) from e
        return reused

    async def head(self, stale_possible: bool) -> Tuple[int, Optional[int], bool, bool]:
        """Reads the answer's head; -> parse_head()'s (status, length, chunked, close)."""
        assert self.reader is not None
        try:
            raw = await self.reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as e:
            if stale_possible and not e.partial:
                raise StaleConnection("the server closed the connection") from None
            raise ProtocolError("the server closed the connection in the middle of an answer") from None
        except asyncio.LimitOverrunError:
            raise ProtocolError(f"the answer's headers exceed {MAX_HEAD} bytes") from None
        except ConnectionResetError as e:
            if stale_possible:
                raise StaleConnection(str(e)) from e
            raise
        return parse_head(raw[:-4])

    async def request(self, method: str, target: str, headers: Dict[str, str],
                      body: Optional[bytes] = None) -> Tuple[int, bytes, bool]:
        """Sends one request and reads its whole answer: -> (status, body, whether the server closes)."""
        reused = await self.send(method, target, headers, body)
        status, length, chunked, close = await self.head(stale_possible=reused)
        if not has_body(method, status):
            return status, b"", close
        data = await self.read_body(length, chunked)
        return status, data, close or (length is None and not chunked)

    async def read_body(self, length: Optional[int], chunked: bool) -> bytes:
        return b"".join([part async for part in self.body(length, chunked)])

    async def body(self, length: Optional[int], chunked: bool) -> AsyncIterator[bytes]:
        """The answer's body as it comes: by Content-Length, by chunks, or to the end of the stream."""
        reader = self.reader
        assert reader is not None
        try:
            if chunked:
                while True:
                    size = chunk_size((await reader.readuntil(b"\r\n"))[:-2])
                    if size == 0:
                        while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers, to the empty line
                            pass
                        return
                    data = await reader.readexactly(size + 2)
                    if data[-2:] != b"\r\n":
                        raise ProtocolError("a chunk without its CRLF")
                    yield data[:-2]
            elif length is not None:
                if length:
                    yield await reader.readexactly(length)
            else:
                while chunk := await reader.read(65536):
                    yield chunk
        except asyncio.IncompleteReadError:
            raise ProtocolError("the server closed the connection in the middle of an answer") from None
        except asyncio.LimitOverrunError:
            raise ProtocolError("a bad chunked body") from None
