"""One HTTP/1.1 keep-alive connection on a plain socket (or a TLS one), for requests with JSON
bodies. http.client parses every answer's headers with the email package, which costs about three
times the rest of a request on loopback; an answer from jobqd needs only its status, its length
and whether the connection stays open."""

from __future__ import annotations

import socket
import ssl
from typing import Dict, List, Optional, Tuple

MAX_HEAD = 64 * 1024  # bytes of status line and headers; jobqd's are a few hundred
_NO_BODY = (204, 304)


class StaleConnection(ConnectionError):
    """The server had closed this kept-alive connection before it read the request: nothing of an
    answer arrived, so the request may be sent once more on a new connection."""


class ProtocolError(ConnectionError):
    """The answer is not HTTP/1.1 that this client understands."""


class HttpConnection:
    def __init__(self, host: str, port: int, timeout: float, tls: Optional[ssl.SSLContext] = None) -> None:
        self.host, self.port, self.tls = host, port, tls
        self.timeout = timeout
        self.sock: Optional[socket.socket] = None
        self._buf = bytearray()
        self._host_header = host_header(host, port)

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        self._buf.clear()

    def set_timeout(self, timeout: float) -> None:
        self.timeout = timeout
        if self.sock is not None:
            self.sock.settimeout(timeout)

    def request(self, method: str, target: str, headers: Dict[str, str],
                body: Optional[bytes] = None) -> Tuple[int, bytes, bool]:
        """Sends one request and reads its whole answer: -> (status, body bytes, whether the server
        closes the connection after it). OSError on failure; StaleConnection if the connection
        turned out closed before any byte of the answer."""
        fresh = self.sock is None
        if fresh:
            self.sock = self._connect()
        assert self.sock is not None
        try:
            self.sock.sendall(request_bytes(method, target, self._host_header, headers, body))
        except (BrokenPipeError, ConnectionResetError) as e:
            if fresh:
                raise
            raise StaleConnection(str(e)) from e
        return self._read_answer(method, stale_possible=not fresh)

    def _connect(self) -> socket.socket:
        sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.tls is not None:
                sock = self.tls.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise
        return sock

    def _fill(self) -> bool:
        """Reads more of the answer; -> False at the end of the stream."""
        assert self.sock is not None
        chunk = self.sock.recv(65536)
        if not chunk:
            return False
        self._buf += chunk
        return True

    def _read_answer(self, method: str, stale_possible: bool) -> Tuple[int, bytes, bool]:
        buf = self._buf
        while (end := buf.find(b"\r\n\r\n")) < 0:
            if len(buf) > MAX_HEAD:
                raise ProtocolError(f"the answer's headers exceed {MAX_HEAD} bytes")
            try:
                more = self._fill()
            except ConnectionResetError as e:
                if stale_possible and not buf:
                    raise StaleConnection(str(e)) from e
                raise
            if not more:
                if stale_possible and not buf:
                    raise StaleConnection("the server closed the connection")
                raise ProtocolError("the server closed the connection in the middle of an answer")
        status, length, chunked, close = parse_head(bytes(buf[:end]))
        del buf[:end + 4]
        if not has_body(method, status):
            return status, b"", close
        if chunked:
            return status, self._read_chunked(), close
        if length is None:  # the body runs to the end of the stream
            while self._fill():
                pass
            body = bytes(buf)
            buf.clear()
            return status, body, True
        return status, self._take(length), close

    def _take(self, n: int) -> bytes:
        buf = self._buf
        while len(buf) < n:
            if not self._fill():
                raise ProtocolError("the server closed the connection in the middle of an answer")
        body = bytes(buf[:n])
        del buf[:n]
        return body

    def _line(self) -> bytes:
        buf = self._buf
        while (end := buf.find(b"\r\n")) < 0:
            if len(buf) > MAX_HEAD or not self._fill():
                raise ProtocolError("a bad chunked body")
        line = bytes(buf[:end])
        del buf[:end + 2]
        return line

    def _read_chunked(self) -> bytes:
        parts: List[bytes] = []
        while True:
            size = chunk_size(self._line())
            if size == 0:
                while self._line():  # trailers, up to the empty line
                    pass
                return b"".join(parts)
            parts.append(self._take(size))
            if self._take(2) != b"\r\n":
                raise ProtocolError("a chunk without its CRLF")


def host_header(host: str, port: int) -> str:
    return host if port in (80, 443) else f"{host}:{port}"


def request_bytes(method: str, target: str, host: str, headers: Dict[str, str],
                  body: Optional[bytes] = None) -> bytes:
    """One request's bytes: the request line, Host, the headers, Content-Length, the body."""
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if body is not None or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body or b'')}")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head + body if body else head


def parse_head(head: bytes) -> Tuple[int, Optional[int], bool, bool]:
    """An answer's status line and headers (bytes, without the blank line) -> (status, Content-Length
    or None, whether the body is chunked, whether the server closes the connection after it).
    ProtocolError for what this client does not read."""
    lines = head.decode("latin-1").split("\r\n")
    version, _, rest = lines[0].partition(" ")
    if not version.startswith("HTTP/1.") or not rest[:3].isdigit():
        raise ProtocolError(f"not an HTTP/1.1 status line: {lines[0][:100]!r}")
    status = int(rest[:3])
    length, chunked, close = None, False, version == "HTTP/1.0"
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == "content-length":
            if not value.isdigit():
                raise ProtocolError(f"a bad Content-Length: {value!r}")
            length = int(value)
        elif name == "transfer-encoding":
            chunked = value == "chunked"
            if not chunked:
                raise ProtocolError(f"a Transfer-Encoding this client does not read: {value!r}")
        elif name == "connection":
            close = "close" in value
    return status, length, chunked, close


def has_body(method: str, status: int) -> bool:
    return not (method == "HEAD" or status in _NO_BODY or 100 <= status < 200)


def chunk_size(line: bytes) -> int:
    """The size of a chunk from its size line (bytes, without CRLF); ProtocolError if bad."""
    size_text = line.split(b";", 1)[0].strip()
    try:
        return int(size_text, 16)
    except ValueError:
        raise ProtocolError(f"a bad chunk size: {size_text[:20]!r}") from None


def tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()
