"""Harness for the jobqd integration tests: start the real server, talk to its HTTP API.

Standard library only. The binary comes from $JOBQD (set by the ctest registration), else
build/asan/jobqd in this checkout.
"""

import atexit
import concurrent.futures
import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
JOBQD = os.path.abspath(os.environ.get("JOBQD") or str(REPO / "build" / "asan" / "jobqd"))

START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0
POLL_S = 0.02

# The engine refuses leases shorter than this (Engine::validate_lease), so tests that need a lease
# to run out use it and a deadline well above it.
MIN_LEASE_MS = 1000

# Time the sweeper may take to notice an expired lease or a due job, on top of the lease itself.
SWEEP_SLACK_S = 5.0

STATUSES = ("waiting", "scheduled", "queued", "running", "completed", "failed", "cancelled")
FINISHED = ("completed", "failed", "cancelled")
UNKNOWN_ID = "01890000-0000-7000-8000-000000000000"  # a well-formed job id no server has given out


def unique(prefix="q"):
    """A name no other test uses: queues, types, users, tags, idempotency keys."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout=5.0, interval=POLL_S, message=None):
    """Polls predicate() until it returns something truthy, and returns that; fails at the deadline.

    Exceptions from the predicate propagate: a predicate that asserts fails the test at once.
    """
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = predicate()
        if last:
            return last
        if time.monotonic() >= deadline:
            what = message or getattr(predicate, "__name__", "condition")
            raise AssertionError(f"timed out after {timeout:.1f} s waiting for {what}; last value: {last!r}")
        time.sleep(interval)


class ServerError(AssertionError):
    pass


LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"


@contextlib.contextmanager
def fake_wall_clock(offset_file):
    """Processes started inside the block see the wall clock moved by what `offset_file` says ("+5",
    "-1h"; read at every clock call), the monotonic clock left alone (Debian's libfaketime)."""
    fake = {"LD_PRELOAD": LIBFAKETIME, "FAKETIME_TIMESTAMP_FILE": str(offset_file),
            "FAKETIME_NO_CACHE": "1", "FAKETIME_DONT_FAKE_MONOTONIC": "1",
            # ASan wants to be first in the process; libfaketime only wraps clock calls.
            "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"}
    saved = {k: os.environ.get(k) for k in fake}
    os.environ.update(fake)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


# JOBQ_IT_STORE=redis: every server the tests ask to be durable ("sqlite") runs on a redis-server
# of the test process's own instead, each under a key prefix of its own (ctest's integration-redis).
DURABLE_STORE = os.environ.get("JOBQ_IT_STORE", "sqlite")


class RedisServer:
    """A redis-server on a free loopback port with a temporary directory, AOF on (appendfsync always, as
    a deployment that promises durability runs it). shared() is the one of the whole test process,
    stopped when it exits; a test that kills Redis starts one of its own. args: extra settings."""

    _shared = None

    @classmethod
    def shared(cls):
        if cls._shared is None:
            cls._shared = cls()
            atexit.register(cls._shared.close)
        return cls._shared

    def __init__(self, args=()):
        self.dir = Path(tempfile.mkdtemp(prefix="jobq-it-redis-"))
        self.args = [str(a) for a in args]
        self.proc = None
        self.port = None
        self.start()

    def start(self):
        """Starts it, on the port it had if it ran before (so that jobqd finds it again), with its data."""
        for attempt in range(3):
            fixed = self.port is not None and attempt == 0
            self.port = self.port if fixed else free_port()
            with open(self.dir / "redis.log", "ab") as log:
                self.proc = subprocess.Popen(
                    ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
                     "--save", "", "--appendonly", "yes", "--appendfsync", "always", *self.args],
                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            try:
                wait_until(self._answers, timeout=10, message="redis-server to answer PING")
                return self
            except AssertionError:
                self.kill()
            if fixed:
                break
        raise ServerError("redis-server did not start:\n" + (self.dir / "redis.log").read_text())

    def _answers(self):
        if self.proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as c:
                c.sendall(b"PING\r\n")
                answer = c.recv(64)
                return answer.startswith(b"+PONG") or answer.startswith(b"-NOAUTH")  # up, with a password
        except OSError:
            return False

    def command(self, *args):
        """One command in Redis' inline form; -> the first line of its answer."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as c:
            c.sendall((" ".join(args) + "\r\n").encode())
            return c.recv(4096).split(b"\r\n")[0].decode()

    def url(self, password=None):
        auth = f":{password}@" if password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    def kill(self):
        """SIGKILL: what was answered is in the AOF (appendfsync always), the rest is gone."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def close(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


class Server:
    """One jobqd process on a free loopback port, with its own temporary data directory.

    store: "sqlite" (a file in the data directory; the redis store instead under JOBQ_IT_STORE=redis),
    "redis" (under a prefix of this server's own, on `redis`: the test process's redis-server unless
    given, at `redis_url` if given) or "memory". args: extra command-line flags.
    """

    def __init__(self, store="sqlite", args=(), api_key=None, start=True, redis=None, redis_prefix=None,
                 redis_url=None):
        if store not in ("sqlite", "memory", "redis"):
            raise ValueError(f"unknown store {store!r}")
        if store == "sqlite":
            store = DURABLE_STORE
        self.dir = Path(tempfile.mkdtemp(prefix="jobqd-it-"))
        self.store = store
        self.args = [str(a) for a in args]
        if store == "redis":
            redis = redis or RedisServer.shared()
            self.store_url = redis_url or redis.url()
            self.redis_prefix = redis_prefix or f"jobqit:{uuid.uuid4().hex}:"
            self.args = ["--redis-prefix", self.redis_prefix, *self.args]
        else:
            self.store_url = "memory:" if store == "memory" else f"sqlite://{self.dir / 'jobq.db'}"
        self.api_key = api_key
        self.log_path = self.dir / "jobqd.log"
        self.proc = None
        self.port = None
        self.generation = 0  # bumped at every start, so clients reconnect after a restart
        if start:
            try:
                self.start()
            except BaseException:
                self.close()  # the error already carries the server log
                raise

    # Process control.

    def command(self):
        return [JOBQD, "--listen", f"127.0.0.1:{self.port}", "--store", self.store_url, *self.args]

    def start(self):
        if not os.access(JOBQD, os.X_OK):
            raise ServerError(f"jobqd binary not found or not executable: {JOBQD} (build it, or set JOBQD)")
        if self.running():
            raise ServerError("server already running")
        for attempt in range(3):
            self.port = free_port()
            self.generation += 1
            with open(self.log_path, "ab") as log:
                log.write(f"\n=== start: {' '.join(self.command())}\n".encode())
                log.flush()
                self.proc = subprocess.Popen(
                    self.command(),
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd=self.dir,
                    start_new_session=True,  # a ^C to the test runner is not a SIGINT to the server
                )
            try:
                self._wait_healthy()
                return self
            except ServerError:
                # Another process may have taken the port between free_port() and the bind.
                if self.proc.poll() is not None and "in use" in self.log().lower() and attempt < 2:
                    continue
                self.kill()
                raise

    def _wait_healthy(self):
        deadline = time.monotonic() + START_TIMEOUT_S
        last = "no answer"
        while True:
            if self.proc.poll() is not None:
                raise ServerError(f"jobqd exited with code {self.proc.returncode} while starting\n{self.log_tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1.0)
                try:
                    conn.request("GET", "/health")
                    resp = conn.getresponse()
                    resp.read()
                    if resp.status == 200:
                        return
                    last = f"GET /health answered {resp.status}"
                finally:
                    conn.close()
            except OSError as e:
                last = f"{type(e).__name__}: {e}"
            if time.monotonic() >= deadline:
                raise ServerError(
                    f"jobqd did not answer GET /health with 200 within {START_TIMEOUT_S} s ({last})\n{self.log_tail()}"
                )
            time.sleep(POLL_S)

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def signal(self, signum):
        self.proc.send_signal(signum)

    def wait_exit(self, timeout=STOP_TIMEOUT_S):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise ServerError(f"jobqd did not exit within {timeout} s\n{self.log_tail()}") from None

    def stop(self, timeout=STOP_TIMEOUT_S):
        """SIGTERM, wait for the exit, and insist on exit code 0."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        code = self.wait_exit(timeout)
        if code != 0:
            raise ServerError(f"jobqd exited with code {code} after SIGTERM (expected 0)\n{self.log_tail()}")

    def kill(self):
        """SIGKILL: no chance to flush or say goodbye."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=STOP_TIMEOUT_S)

    def restart(self, kill=False):
        """Stops (SIGTERM, or SIGKILL with kill=True) and starts again on the same data directory."""
        if kill:
            self.kill()
        else:
            self.stop()
        return self.start()

    def close(self):
        """Kills the process if it still runs and removes the data directory (kept if JOBQD_KEEP=1)."""
        self.kill()
        if os.environ.get("JOBQD_KEEP") != "1":
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # Diagnostics.

    def log(self):
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, chars=6000):
        text = self.log()
        return f"--- server log ({self.log_path}) ---\n{text[-chars:]}\n--- end of server log ---"

    def api(self, api_key=None, timeout=15.0):
        return Api(self, api_key=api_key if api_key is not None else self.api_key, timeout=timeout)


class ApiError(AssertionError):
    def __init__(self, method, path, status, body, expected):
        super().__init__(f"{method} {path} answered {status}, expected {expected}: {body!r}")
        self.status = status
        self.body = body


class Api:
    """A small JSON client with one keep-alive connection. Not thread-safe: one Api per thread."""

    PREFIX = "/api/v1"
    IDLE_RECONNECT_S = 5.0  # never reuse a connection the server may have timed out meanwhile

    def __init__(self, server, api_key=None, timeout=15.0):
        self.server = server
        self.api_key = api_key
        self.timeout = timeout
        self._conn = None
        self._conn_generation = None
        self._last_used = 0.0
        self.last_text = None  # the raw body of the last answer, for diagnostics

    def close(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _connection(self, timeout):
        stale = time.monotonic() - self._last_used > self.IDLE_RECONNECT_S
        if self._conn is None or self._conn_generation != self.server.generation or stale:
            self.close()
            self._conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=timeout)
            self._conn_generation = self.server.generation
        elif self._conn.sock is not None:
            self._conn.sock.settimeout(timeout)
        self._conn.timeout = timeout
        return self._conn

    def url(self, path, params=None, absolute=False):
        full = path if absolute or path.startswith(self.PREFIX + "/") else self.PREFIX + path
        if params:
            items = {k: v for k, v in params.items() if v is not None}
            if items:
                full += "?" + urllib.parse.urlencode(items)
        return full

    def request(self, method, path, body=None, headers=None, params=None, absolute=False, timeout=None):
        """-> (status, parsed JSON or None, response headers).

        body: a dict or list is sent as JSON; str or bytes are sent as they are (for malformed input).
        path is under /api/v1 unless absolute=True.
        """
        target = self.url(path, params, absolute)
        hdrs = {"Accept": "application/json"}
        data = None
        if body is not None:
            if isinstance(body, (bytes, bytearray)):
                data = bytes(body)
            elif isinstance(body, str):
                data = body.encode()
            else:
                data = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        if self.api_key:
            hdrs["Authorization"] = f"Bearer {self.api_key}"
        hdrs.update(headers or {})
        conn = self._connection(timeout if timeout is not None else self.timeout)
        try:
            try:
                conn.request(method, target, body=data, headers=hdrs)
            except (BrokenPipeError, ConnectionResetError):
                # The server may answer (413) and close before reading a whole oversized body.
                pass
            resp = conn.getresponse()
            raw = resp.read()
        except BaseException:
            self.close()
            raise
        self._last_used = time.monotonic()
        if resp.will_close:
            self.close()
        self.last_text = raw.decode(errors="replace")
        parsed = None
        if raw:
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = None
        return resp.status, parsed, resp.headers

    def call(self, method, path, body=None, expect=(200,), **kw):
        """request() that insists on one of the expected statuses and returns the JSON body."""
        if isinstance(expect, int):
            expect = (expect,)
        status, data, _ = self.request(method, path, body, **kw)
        if status not in expect:
            raise ApiError(method, path, status, data if data is not None else self.last_text, expect)
        return data

    # Producers.

    def submit(self, **fields):
        fields.setdefault("type", "test")
        return self.call("POST", "/jobs", fields, expect=(200, 201))

    def submit_batch(self, jobs):
        return self.call("POST", "/jobs/batch", {"jobs": jobs}, expect=201)["jobs"]

    def get(self, job_id):
        return self.call("GET", f"/jobs/{job_id}")

    def status_of(self, job_id):
        return self.get(job_id)["status"]

    def list_jobs(self, **params):
        return self.call("GET", "/jobs", params=params)

    def list_all(self, page_limit=100, max_pages=1000, path="/jobs", **params):
        """Walks every page with next_cursor; returns all jobs in order."""
        jobs, cursor = [], None
        for _ in range(max_pages):
            page = self.call("GET", path, params={**params, "limit": page_limit, "cursor": cursor})
            jobs.extend(page["jobs"])
            cursor = page.get("next_cursor")
            if not cursor:
                return jobs
        raise AssertionError(f"more than {max_pages} pages")

    def patch(self, job_id, **fields):
        return self.call("PATCH", f"/jobs/{job_id}", fields)

    def cancel(self, job_id):
        return self.call("POST", f"/jobs/{job_id}/cancel")

    def retry(self, job_id):
        return self.call("POST", f"/jobs/{job_id}/retry")

    def wait(self, job_id, timeout_ms):
        return self.call("GET", f"/jobs/{job_id}/wait", params={"timeout_ms": timeout_ms},
                         timeout=timeout_ms / 1000 + 15)

    # Workers.

    def lease(self, worker_id="worker", **fields):
        wait_ms = fields.get("wait_ms", 0)
        return self.call("POST", "/lease", {"worker_id": worker_id, **fields},
                         timeout=wait_ms / 1000 + 15)["jobs"]

    def lease_one(self, worker_id="worker", **fields):
        jobs = self.lease(worker_id, max_jobs=1, **fields)
        if len(jobs) != 1:
            raise AssertionError(f"lease answered {len(jobs)} jobs, expected 1: {jobs!r}")
        return jobs[0]

    def heartbeat(self, job_id, token, **fields):
        return self.call("POST", f"/jobs/{job_id}/heartbeat", {"lease_token": token, **fields})

    def progress(self, job_id, token, **fields):
        return self.call("POST", f"/jobs/{job_id}/progress", {"lease_token": token, **fields})

    def complete(self, job_id, token, result=None):
        body = {"lease_token": token}
        if result is not None:
            body["result"] = result
        return self.call("POST", f"/jobs/{job_id}/complete", body)

    def fail(self, job_id, token, error="boom", **fields):
        return self.call("POST", f"/jobs/{job_id}/fail", {"lease_token": token, "error": error, **fields})

    def ack(self, complete=(), fail=()):
        return self.call("POST", "/ack", {"complete": list(complete), "fail": list(fail)})["results"]

    # Operators.

    def stats(self):
        return self.call("GET", "/stats")

    def job_count(self):
        """Every job the server holds, by GET /stats."""
        return sum(self.stats()["by_status"].values())

    def dead_letters(self, **params):
        return self.call("GET", "/dead-letters", params=params)


def run_in_thread(fn, *args, **kwargs):
    """Runs fn in a thread of its own; returns a Future (use .result(timeout=...))."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    future = pool.submit(fn, *args, **kwargs)
    pool.shutdown(wait=False)
    return future


def timed(fn, *args, **kwargs):
    """-> (fn's value, seconds it took)."""
    t0 = time.monotonic()
    value = fn(*args, **kwargs)
    return value, time.monotonic() - t0


def leases_waiting(api):
    """How many long-polling leases the server has waiting (its /metrics)."""
    status, _, _ = api.request("GET", "/metrics", absolute=True)
    for line in api.last_text.splitlines():
        if line.startswith("jobq_leases_waiting "):
            return int(float(line.split()[1]))
    raise AssertionError(f"no jobq_leases_waiting in /metrics (status {status})")


def long_poll_lease(server, api, wait_ms=20_000, **fields):
    """Starts a lease that long-polls for up to wait_ms, on a thread and a connection of its own,
    and returns once `server` holds it waiting (seen through `api`); -> a function that waits for
    its answer (30 s at most) and returns the jobs it got."""
    got = {}
    before = leases_waiting(api)

    def long_poll():
        own = server.api()
        try:
            got["jobs"] = own.lease(wait_ms=wait_ms, **fields)
        finally:
            own.close()

    waiter = threading.Thread(target=long_poll)
    waiter.start()
    wait_until(lambda: leases_waiting(api) == before + 1, timeout=10, message="the long poll never waited")

    def answer(timeout=30.0):
        waiter.join(timeout=timeout)
        if waiter.is_alive():
            raise AssertionError(f"the long poll was not answered within {timeout} s")
        return got["jobs"]
    return answer


def config_file(owner, text):
    """A TOML file of jobqd settings holding `text`, removed when the test ends (owner: a test) or
    the class's tests have run (owner: a TestCase class, from setUpClass); -> its path."""
    fd, path = tempfile.mkstemp(prefix="jobqd-config-", suffix=".toml")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    (owner.addClassCleanup if isinstance(owner, type) else owner.addCleanup)(os.unlink, path)
    return path


def assert_refuses_to_start(test, args, named):
    """jobqd with these extra arguments (on the memory store) exits 2 at start, its message naming
    `named` (the setting or field)."""
    server = Server(store="memory", args=args, start=False)
    test.addCleanup(server.close)
    with test.assertRaises(ServerError):
        server.start()
    test.assertEqual(server.proc.returncode, 2, server.log())
    test.assertIn(named, server.log())


def assert_error(test, answer, status, code, field=None):
    """answer: request()'s (status, body, headers). Checks the error envelope, and the field if given."""
    got_status, body, _ = answer
    test.assertEqual(got_status, status, f"body: {body!r}")
    test.assertIsInstance(body, dict, "an error answer must be a JSON object")
    test.assertIn("error", body, f"body: {body!r}")
    err = body["error"]
    test.assertEqual(err.get("code"), code, f"error: {err!r}")
    test.assertIsInstance(err.get("message"), str)
    test.assertTrue(err["message"], "the error message must not be empty")
    if field is not None:
        fields = field if isinstance(field, (tuple, list)) else (field,)
        details = err.get("details") or {}
        test.assertIn(details.get("field"), fields, f"error: {err!r}")
    return err


class ServerTestCase(unittest.TestCase):
    """One server for the whole class; tests isolate themselves with unique queue names."""

    store = "sqlite"
    server_args = ()
    server_key = None  # the API key the class's Api sends

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = Server(store=cls.store, args=cls.server_args, api_key=cls.server_key)
        cls.addClassCleanup(cls.server.close)
        cls.api = cls.server.api()
        cls.addClassCleanup(cls.api.close)

    @classmethod
    def tearDownClass(cls):
        # SIGTERM and a clean exit are part of every class's contract; close() cleans up after.
        cls.api.close()
        cls.server.stop()
        super().tearDownClass()

    def setUp(self):
        self.queue = unique("q")

    def new_api(self):
        api = self.server.api()
        self.addCleanup(api.close)
        return api


def own_server(test, store="sqlite"):
    """A server for this test alone, and an Api on it, both closed when the test ends: -> (server, api)."""
    server = Server(store=store)
    test.addCleanup(server.close)
    api = server.api()
    test.addCleanup(api.close)
    return server, api


class FreshServerTestCase(unittest.TestCase):
    """A server of its own for each test (for tests that touch every job on it, or restart it), and
    its Api; tearDown stops it with SIGTERM, as ServerTestCase's class does."""

    store = "sqlite"

    def setUp(self):
        self.server, self.api = own_server(self, self.store)

    def tearDown(self):
        self.api.close()
        self.server.stop()


def _tcp_queues(local_port, remote_port):
    """(tx_queue, rx_queue) of the IPv4 TCP socket with these ports, from /proc/net/tcp, or None."""
    with open("/proc/net/tcp") as f:
        next(f)
        for line in f:
            fields = line.split()
            local, remote, queues = fields[1], fields[2], fields[4]
            if int(local.split(":")[1], 16) == local_port and int(remote.split(":")[1], 16) == remote_port:
                tx, rx = queues.split(":")
                return int(tx, 16), int(rx, 16)
    return None


def request_read_by_server(sock):
    """True once every byte sent on this client socket was acknowledged and read by the server.

    Linux only (/proc/net/tcp): the client's send queue is empty (the server's kernel has the bytes)
    and the server's receive queue is empty (the server process read them).
    """
    client_port = sock.getsockname()[1]
    server_port = sock.getpeername()[1]
    client = _tcp_queues(client_port, server_port)
    server = _tcp_queues(server_port, client_port)
    return client is not None and server is not None and client[0] == 0 and server[1] == 0
