"""One HTTP/1.1 keep-alive connection on a plain socket (or a TLS one), for requests with JSON
bodies. http.client parses every answer's headers with the email package, which costs about three
times the rest of a request on loopback; an answer from jobqd needs only its status, its length
and whether the connection stays open."""

import socket
import ssl

MAX_HEAD = 64 * 1024  # bytes of status line and headers; jobqd's are a few hundred
_NO_BODY = (204, 304)


class StaleConnection(ConnectionError):
    """The server had closed this kept-alive connection before it read the request: nothing of an
    answer arrived, so the request may be sent once more on a new connection."""


class ProtocolError(ConnectionError):
    """The answer is not HTTP/1.1 that this client understands."""


class HttpConnection:
    def __init__(self, host, port, timeout, tls=None):
        self.host, self.port, self.tls = host, port, tls
        self.timeout = timeout
        self.sock = None
        self._buf = bytearray()
        self._host_header = host if port in (80, 443) else f"{host}:{port}"

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        self._buf.clear()

    def set_timeout(self, timeout):
        self.timeout = timeout
        if self.sock is not None:
            self.sock.settimeout(timeout)

    def request(self, method, target, headers, body=None):
        """Sends one request and reads its whole answer: -> (status, body bytes, whether the server
        closes the connection after it). OSError on failure; StaleConnection if the connection
        turned out closed before any byte of the answer."""
        fresh = self.sock is None
        if fresh:
            self._connect()
        lines = [f"{method} {target} HTTP/1.1", f"Host: {self._host_header}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body is not None or method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(body or b'')}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        try:
            self.sock.sendall(head + body if body else head)
        except (BrokenPipeError, ConnectionResetError) as e:
            if fresh:
                raise
            raise StaleConnection(str(e)) from e
        return self._read_answer(method, stale_possible=not fresh)

    def _connect(self):
        sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.tls is not None:
                sock = self.tls.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise
        self.sock = sock

    def _fill(self):
        """Reads more of the answer; -> False at the end of the stream."""
        chunk = self.sock.recv(65536)
        if not chunk:
            return False
        self._buf += chunk
        return True

    def _read_answer(self, method, stale_possible):
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
        head = bytes(buf[:end]).decode("latin-1").split("\r\n")
        del buf[:end + 4]
        version, _, rest = head[0].partition(" ")
        if not version.startswith("HTTP/1.") or not rest[:3].isdigit():
            raise ProtocolError(f"not an HTTP/1.1 status line: {head[0][:100]!r}")
        status = int(rest[:3])
        length, chunked, close = None, False, version == "HTTP/1.0"
        for line in head[1:]:
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
        if method == "HEAD" or status in _NO_BODY or 100 <= status < 200:
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

    def _take(self, n):
        buf = self._buf
        while len(buf) < n:
            if not self._fill():
                raise ProtocolError("the server closed the connection in the middle of an answer")
        body = bytes(buf[:n])
        del buf[:n]
        return body

    def _line(self):
        buf = self._buf
        while (end := buf.find(b"\r\n")) < 0:
            if len(buf) > MAX_HEAD or not self._fill():
                raise ProtocolError("a bad chunked body")
        line = bytes(buf[:end])
        del buf[:end + 2]
        return line

    def _read_chunked(self):
        parts = []
        while True:
            size_text = self._line().split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise ProtocolError(f"a bad chunk size: {size_text[:20]!r}") from None
            if size == 0:
                while self._line():  # trailers, up to the empty line
                    pass
                return b"".join(parts)
            parts.append(self._take(size))
            if self._take(2) != b"\r\n":
                raise ProtocolError("a chunk without its CRLF")


def tls_context():
    return ssl.create_default_context()
