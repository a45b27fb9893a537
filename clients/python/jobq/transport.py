"""HTTP/1.1 with keep-alive, JSON in and out: a small pool of connections (http_connection.py),
and event streams on http.client."""

import http.client
import json
import threading
import time
import urllib.parse

from .errors import ConnectionFailed, error_from_answer
from .http_connection import HttpConnection, ProtocolError, StaleConnection, tls_context

# jobqd closes a kept-alive connection after 60 s without a request; reconnect well before that.
IDLE_RECONNECT_S = 45.0


class Transport:
    """Sends requests to one server. Thread-safe: a request takes a kept-alive connection from the
    pool (or opens one) and puts it back when its answer is read."""

    MAX_IDLE = 8  # idle connections kept; more are closed

    def __init__(self, url, api_key=None, timeout=30.0):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"url must be http://host[:port] or https://host[:port], got {url!r}")
        self.url = url
        self.https = parts.scheme == "https"
        self.host = parts.hostname
        self.port = parts.port or (443 if self.https else 80)
        self.prefix = parts.path.rstrip("/") + "/api/v1"
        self.api_key = api_key
        self.timeout = timeout
        self._tls = tls_context() if self.https else None
        self._idle = []  # (connection, monotonic time it was last used), the newest last
        self._lock = threading.Lock()

    def new_connection(self, timeout):
        return HttpConnection(self.host, self.port, timeout, self._tls)

    def _stream_connection(self, timeout):
        cls = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
        return cls(self.host, self.port, timeout=timeout)

    def headers(self, extra=None):
        h = {"Accept": "application/json", "User-Agent": "jobq-python"}
        if self.api_key:
            h["Authorization"] = f"Bearer {self.api_key}"
        h.update(extra or {})
        return h

    def target(self, path, params=None):
        full = self.prefix + path
        if params:
            items = [(k, _query_value(v)) for k, v in params.items() if v is not None]
            if items:
                full += "?" + urllib.parse.urlencode(items)
        return full

    def close(self):
        with self._lock:
            idle, self._idle = self._idle, []
        for conn, _ in idle:
            conn.close()

    def idle_connections(self):
        """The pooled connections, for tests and diagnostics."""
        with self._lock:
            return [conn for conn, _ in self._idle]

    def _checkout(self, timeout):
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

    def _checkin(self, conn):
        with self._lock:
            if len(self._idle) < self.MAX_IDLE:
                self._idle.append((conn, time.monotonic()))
                return
        conn.close()

    def request(self, method, path, body=None, params=None, timeout=None):
        """-> the parsed JSON answer (None for an empty one); raises a JobqError for an error answer.

        A request on a reused connection that the server had closed is sent once more on a new one.
        """
        target = self.target(path, params)
        data = None if body is None else json.dumps(body, allow_nan=False).encode()
        headers = self.headers({"Content-Type": "application/json"} if data is not None else None)
        timeout = self.timeout if timeout is None else timeout
        for attempt in (1, 2):
            conn, reused = self._checkout(timeout)
            try:
                status, raw, will_close = conn.request(method, target, headers, data)
            except StaleConnection as e:
                conn.close()
                if reused and attempt == 1:
                    continue
                raise ConnectionFailed(f"{method} {target}: {e}") from e
            except ProtocolError as e:
                conn.close()
                raise ConnectionFailed(f"{method} {target}: {e}") from e
            except OSError as e:
                conn.close()
                raise ConnectionFailed(f"{method} {target} to {self.host}:{self.port}: {e}") from e
            except BaseException:
                conn.close()
                raise
            break
        if will_close:
            conn.close()
        else:
            self._checkin(conn)
        return _answer(status, raw)

    def open_stream(self, path, params=None, timeout=None):
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
            raw = resp.read()
            conn.close()
            _answer(resp.status, raw)
            raise ConnectionFailed(f"GET {target} answered {resp.status} without a stream")
        return conn, resp


def _query_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, set, frozenset)):
        return ",".join(str(v) for v in value)
    return str(value)


def _answer(status, raw):
    text = raw.decode("utf-8", errors="replace")
    parsed = None
    if raw:
        try:
            parsed = json.loads(text)
        except ValueError:
            if 200 <= status < 300:
                raise ConnectionFailed(f"the server answered {status} with a body that is not JSON: "
                                       f"{text[:200]!r}") from None
    if 200 <= status < 300:
        return parsed
    raise error_from_answer(status, parsed, text)
