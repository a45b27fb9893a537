"""HTTP/1.1 spoken by hand over a socket, for requests http.client will not send: odd framing,
forged Host and Origin headers, WebSocket handshakes with bad fields, bodies sent in pieces."""

import json
import socket
import time


class RawAnswer:
    def __init__(self, status, headers, body, closed):
        self.status = status
        self.headers = headers  # lower-cased names
        self.body = body
        self.closed = closed  # the server closed the connection after this answer

    def json(self):
        return json.loads(self.body) if self.body else None

    def error_field(self):
        return ((self.json() or {}).get("error", {}).get("details") or {}).get("field")

    def __repr__(self):
        return f"RawAnswer({self.status}, {self.headers!r}, {self.body[:300]!r}, closed={self.closed})"


def connect(port, timeout=10):
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


def request_bytes(method, path, port, headers=None, body=b""):
    """A request; Host defaults to the server's own address, and a body gets its Content-Length."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
    hdrs = {"Host": f"127.0.0.1:{port}"}
    if body:
        hdrs["Content-Type"] = "application/json"
        hdrs["Content-Length"] = str(len(body))
    for name, value in (headers or {}).items():
        if value is None:
            hdrs.pop(name, None)
        else:
            hdrs[name] = value
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in hdrs.items())
    return (head + "\r\n").encode() + body


def read_answer(sock, deadline_s=10.0):
    """Reads one answer (a 1xx is skipped); then checks whether the server closed the connection."""
    deadline = time.monotonic() + deadline_s
    data = b""
    while True:
        while b"\r\n\r\n" not in data:
            chunk = _recv(sock, deadline)
            if not chunk:
                raise AssertionError(f"the connection closed before an answer; got {data!r}")
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if 100 <= status < 200 and status != 101:
            data = rest
            continue
        break
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = _recv(sock, deadline)
        if not chunk:
            break
        rest += chunk
    body, extra = rest[:length], rest[length:]
    closed = False
    if status != 101 and not extra:
        closed = _closed_soon(sock, min(deadline, time.monotonic() + 2.0))
    return RawAnswer(status, headers, body, closed)


def exchange(port, data, deadline_s=10.0):
    """Sends `data` on a new connection and reads the answer."""
    with connect(port) as s:
        s.sendall(data)
        return read_answer(s, deadline_s)


def _recv(sock, deadline):
    sock.settimeout(max(0.01, deadline - time.monotonic()))
    try:
        return sock.recv(65536)
    except ConnectionResetError:
        return b""


def _closed_soon(sock, deadline):
    """True if the peer closes (or resets) the connection before the deadline."""
    sock.settimeout(max(0.01, deadline - time.monotonic()))
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False
