"""Clients for jobqd's live streams: WebSocket (Debian's python3-websockets, 10.x) and Server-Sent
Events (http.client, read incrementally). Used by test_streams.py and test_auth.py.

Each watcher reads in a thread of its own and hands the messages over in a queue, so a test drives
the server from its own thread and reads what arrived with deadlines (next(), until(), rest()).
A message is a dict {"event": name, ...the parsed JSON...}.
"""

import asyncio
import http.client
import json
import queue
import socket
import threading
import time
import urllib.parse

try:
    import websockets
    from websockets.exceptions import ConnectionClosed, InvalidStatusCode
except ImportError as e:  # pragma: no cover - depends on the interpreter
    raise ImportError(
        "the stream tests need Debian's python3-websockets (scripts/install-deps): run them with "
        "/usr/bin/python3, not a python without it") from e

__all__ = ["ConnectionClosed", "InvalidStatusCode", "SseWatcher", "StreamEnded", "WsWatcher",
           "log_excerpt", "sanitizer_report", "ws_connect_status"]

OPEN_TIMEOUT_S = 10.0
_END = object()


class StreamEnded(AssertionError):
    pass


def stream_path(path, params=None):
    if params:
        path += "?" + urllib.parse.urlencode(params)
    return path


class _Watcher:
    """The part both transports share: a queue of messages, the end, and reads with deadlines;
    the reader thread that runs the subclass's _run() (named by its KIND)."""

    KIND = None  # "ws" or "sse"

    def __init__(self, server, path, params=None, api_key=None):
        self.server = server
        self.path = stream_path(path, params)
        self.api_key = api_key
        self.messages = queue.Queue()
        self.received = []  # every message handed out by next(), in order
        self.ended = threading.Event()  # the stream ended (closed by either side, or failed)
        self.end_time = None  # time.monotonic() when the stream ended
        self.error = None  # an exception from opening or reading, if any
        self._opened = threading.Event()
        self._finished = False
        self._thread = None  # the reader, running _run()

    # For the reader thread.

    def _put(self, message):
        self.messages.put(message)

    def _end(self, error=None):
        if error is not None and self.error is None:
            self.error = error
        self.end_time = time.monotonic()
        self.ended.set()
        self._opened.set()
        self.messages.put(_END)

    # For the test.

    def start(self):
        """Starts the reader thread; -> the watcher, once the stream is open (wait_open)."""
        self._thread = threading.Thread(target=self._run, name=f"{self.KIND} {self.path}", daemon=True)
        self._thread.start()
        return self.wait_open()

    def wait_open(self, timeout=OPEN_TIMEOUT_S):
        if not self._opened.wait(timeout):
            raise AssertionError(f"stream {self.path} did not open within {timeout} s")
        if self.error is not None and not self.is_open_ok():
            raise self.error
        return self

    def is_open_ok(self):
        raise NotImplementedError

    def next(self, timeout=5.0):
        """The next message; None once the stream has ended. Fails if nothing comes in time."""
        if self._finished:
            return None
        try:
            item = self.messages.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(
                f"no message on {self.path} within {timeout} s; so far: {self._names()}") from None
        if item is _END:
            self._finished = True
            return None
        self.received.append(item)
        return item

    def until(self, predicate, timeout=5.0):
        """Messages up to and including the first one that satisfies predicate; fails at the deadline
        or if the stream ends first."""
        deadline = time.monotonic() + timeout
        out = []
        while True:
            m = self._next_by(deadline, lambda: f"timed out after {timeout} s on {self.path}; got {self._names(out)}")
            if m is None:
                raise StreamEnded(f"{self.path} ended before the awaited message; got {self._names(out)}"
                                  f"{self._error_text()}")
            out.append(m)
            if predicate(m):
                return out

    def rest(self, timeout=5.0):
        """Every message until the stream ends; fails if it has not ended by the deadline."""
        deadline = time.monotonic() + timeout
        out = []
        while True:
            m = self._next_by(deadline, lambda: f"{self.path} did not end within {timeout} s; got {self._names(out)}")
            if m is None:
                return out
            out.append(m)

    def _next_by(self, deadline, late):
        """The next message (None once the stream ended) if it comes before deadline (a monotonic
        time); else AssertionError(late())."""
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(late())
        return self.next(timeout=left)

    def _names(self, messages=None):
        return [m.get("event") for m in (self.received if messages is None else messages)]

    def _error_text(self):
        return f" (error: {type(self.error).__name__}: {self.error})" if self.error else ""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class WsWatcher(_Watcher):
    """A WebSocket watcher. close_code: the code of the server's close frame (1006 if none came)."""

    KIND = "ws"

    def __init__(self, server, path, params=None, api_key=None, start=True):
        super().__init__(server, path, params, api_key)
        self.close_code = None
        self.close_reason = None
        self._loop = None
        self._task = None
        if start:
            self.start()

    def url(self):
        return f"ws://127.0.0.1:{self.server.port}{self.path}"

    def is_open_ok(self):
        return self.close_code is not None or not isinstance(self.error, (InvalidStatusCode, OSError,
                                                                          asyncio.TimeoutError))

    def _run(self):
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            self._task = loop.create_task(self._read())
            loop.run_until_complete(self._task)
        except asyncio.CancelledError:
            pass
        except BaseException as e:  # reported through self.error
            self._end(e)
        finally:
            loop.close()

    async def _read(self):
        headers = {}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        try:
            ws = await websockets.connect(self.url(), extra_headers=headers, open_timeout=OPEN_TIMEOUT_S,
                                          close_timeout=5, compression=None)
        except BaseException as e:
            self._end(e)
            return
        self._opened.set()
        try:
            async for text in ws:
                self._put(json.loads(text))
        except ConnectionClosed:
            pass  # a close code other than 1000/1001: recorded below
        except asyncio.CancelledError:
            await ws.close()
        except BaseException as e:
            self.error = e
            await ws.close()
        finally:
            self.close_code = ws.close_code
            self.close_reason = ws.close_reason
            self._end()

    def close(self):
        """Closes from the client side (if still open) and waits for the reader thread."""
        if self._thread is None:
            return
        if not self.ended.is_set() and self._loop is not None and self._task is not None:
            try:
                self._loop.call_soon_threadsafe(self._task.cancel)
            except RuntimeError:
                pass  # the loop is already closed
        self._thread.join(timeout=10)


def ws_connect_status(server, path, params=None, api_key=None):
    """Tries a WebSocket upgrade; -> the HTTP status the server refused it with, or 101 if it
    accepted (the connection is then closed at once)."""

    async def attempt():
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        try:
            ws = await websockets.connect(f"ws://127.0.0.1:{server.port}{stream_path(path, params)}",
                                          extra_headers=headers, open_timeout=OPEN_TIMEOUT_S,
                                          close_timeout=2, compression=None)
        except InvalidStatusCode as e:
            return e.status_code
        await ws.close()
        return 101

    return asyncio.run(asyncio.wait_for(attempt(), OPEN_TIMEOUT_S + 5))


class SseWatcher(_Watcher):
    """A Server-Sent Events watcher on http.client. status/headers: the HTTP answer; a refusal
    (not 200) is read whole into error_body (parsed JSON) and the watcher ends at once."""

    KIND = "sse"

    def __init__(self, server, path, params=None, api_key=None, start=True, read_timeout=60.0):
        super().__init__(server, path, params, api_key)
        self.read_timeout = read_timeout
        self.status = None
        self.headers = None
        self.error_body = None
        self.comments = []  # ": ..." lines, such as keep-alive
        self._conn = None
        self._sock = None
        if start:
            self.start()

    def is_open_ok(self):
        return self.status is not None

    def _run(self):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=self.read_timeout)
            self._conn = conn
            headers = {"Accept": "text/event-stream"}
            if self.api_key:
                headers["Authorization"] = f"Bearer {self.api_key}"
            conn.request("GET", self.path, headers=headers)
            self._sock = conn.sock  # http.client lets go of it once the answer says "close"
            resp = conn.getresponse()
            self.status = resp.status
            self.headers = resp.headers
            if resp.status != 200:
                raw = resp.read()
                try:
                    self.error_body = json.loads(raw)
                except ValueError:
                    self.error_body = raw
                self._end()
                return
            self._opened.set()
            try:
                self._parse(resp)
            finally:
                resp.close()
            self._end()
        except BaseException as e:
            self._end(e)
        finally:
            if self._conn is not None:
                self._conn.close()
            if self._sock is not None:
                self._sock.close()

    def _parse(self, resp):
        event, data = None, []
        while True:
            line = resp.readline()
            if not line:
                return  # the body ended (the server closed the connection)
            line = line.decode().rstrip("\r\n")
            if line == "":
                if data:
                    text = "\n".join(data)
                    message = json.loads(text)
                    if not isinstance(message, dict):
                        message = {"data": message}
                    message.setdefault("event", event or "message")
                    message["_sse_event"] = event or "message"
                    self._put(message)
                event, data = None, []
                continue
            if line.startswith(":"):
                self.comments.append(line)
                continue
            name, _, value = line.partition(":")
            if value.startswith(" "):
                value = value[1:]
            if name == "event":
                event = value
            elif name == "data":
                data.append(value)

    def close(self):
        if self._sock is not None and not self.ended.is_set():
            try:
                self._sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=10)


SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:", "ThreadSanitizer")


def sanitizer_report(server):
    """The first sanitizer report in the server log (its opening lines), or None."""
    text = server.log()
    hits = [i for i in (text.find(m) for m in SANITIZER_MARKERS) if i >= 0]
    if not hits:
        return None
    start = text.rfind("\n", 0, min(hits)) + 1
    lines = text[start:].split("Shadow bytes around")[0].splitlines()
    # The opening frames of each stack say where; the deep frames are Asio's machinery.
    def shallow(line):
        head = line.split()[0] if line.split() else ""
        return not (head.startswith("#") and head[1:].isdigit() and int(head[1:]) >= 20)

    return "\n".join([ln for ln in lines if shallow(ln)][:100])


def log_excerpt(server):
    """What a failure message should show of the server log: the sanitizer report if there is one,
    else the tail."""
    report = sanitizer_report(server)
    if report:
        return f"--- sanitizer report in {server.log_path} ---\n{report}\n--- end ---"
    return server.log_tail()
