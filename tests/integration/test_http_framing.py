"""The HTTP edges: framing jobqd refuses, keys checked before bodies are read, caps on connections
and on buffered bytes, Expect: 100-continue, requests sent together or in pieces, answers larger
than a socket takes, slow requests, and a request still arriving at SIGTERM."""

import json
import signal
import socket
import time
import unittest

from jobqd import Server, ServerTestCase, request_read_by_server, unique, wait_until
from raw_http import connect, exchange, read_answer, request_bytes

SUBMIT = {"type": "x", "queue": "framing"}


class Framing(ServerTestCase):
    store = "memory"

    def test_an_unknown_transfer_encoding_is_400_and_closes(self):
        body = json.dumps(SUBMIT).encode()
        cases = [(te, with_length) for te in ("xchunked", "identity", "gzip", "chunked, chunked",
                                              "gzip, chunked") for with_length in (True, False)]
        for te, with_length in cases:
            with self.subTest(te=te, content_length=with_length):
                before = self.api.job_count()
                headers = {"Transfer-Encoding": te}
                if not with_length:
                    headers["Content-Length"] = None
                a = exchange(self.server.port, request_bytes(
                    "POST", "/api/v1/jobs", self.server.port, headers, body))
                self.assertEqual(a.status, 400, a)
                self.assertEqual(a.error_field(), "Transfer-Encoding")
                self.assertTrue(a.closed, "the connection must close: the body's end is unknown")
                self.assertEqual(self.api.job_count(), before)

    def test_a_chunked_body_is_read(self):
        body = json.dumps({"type": "x", "queue": self.queue}).encode()
        chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
        data = request_bytes("POST", "/api/v1/jobs", self.server.port,
                             {"Transfer-Encoding": "chunked", "Content-Length": None}, b"")
        data = data[:-2] + b"Content-Type: application/json\r\n\r\n" + chunked
        a = exchange(self.server.port, data)
        self.assertEqual(a.status, 201, a)

    def test_expect_100_continue_is_answered_before_the_body(self):
        body = json.dumps({"type": "x", "queue": self.queue}).encode()
        data = request_bytes("POST", "/api/v1/jobs", self.server.port, {"Expect": "100-continue"}, body)
        head, body = data[:len(data) - len(body)], data[len(data) - len(body):]
        with connect(self.server.port) as s:
            s.sendall(head)
            s.settimeout(5)
            interim = s.recv(1024)
            self.assertTrue(interim.startswith(b"HTTP/1.1 100 Continue\r\n\r\n"), interim)
            s.sendall(body)
            self.assertEqual(read_answer(s).status, 201)

    def test_duplicate_keys_are_refused_naming_the_key(self):
        a = exchange(self.server.port, request_bytes(
            "POST", "/api/v1/jobs", self.server.port,
            body=b'{"type":"x","queue":"q","type":"y"}'))
        self.assertEqual(a.status, 400, a)
        self.assertEqual(a.error_field(), "type")


class KeysBeforeBodies(unittest.TestCase):
    def setUp(self):
        self.server = Server(store="memory", args=["--api-keys", "k1:admin"], api_key="k1")
        self.addCleanup(self.server.close)

    def test_a_keyless_request_is_refused_on_its_headers(self):
        # Headers announcing 2 MB, and no body at all: the answer cannot wait for the body.
        head = request_bytes("POST", "/api/v1/jobs", self.server.port,
                             {"Content-Length": "2000000"}, b"")
        head = head[:-2] + b"Content-Type: application/json\r\n\r\n"
        with connect(self.server.port) as s:
            s.sendall(head)
            a = read_answer(s, deadline_s=5)
        self.assertEqual(a.status, 401, a)
        self.assertEqual(a.error_field(), "Authorization")
        self.assertTrue(a.closed, "the unread body must not be taken for a next request")

    def test_a_wrong_role_is_refused_on_its_headers_too(self):
        server = Server(store="memory", args=["--api-keys", "v1:viewer"], api_key="v1")
        self.addCleanup(server.close)
        head = request_bytes("POST", "/api/v1/jobs", server.port,
                             {"Content-Length": "2000000", "Authorization": "Bearer v1"}, b"")
        head = head[:-2] + b"Content-Type: application/json\r\n\r\n"
        with connect(server.port) as s:
            s.sendall(head)
            a = read_answer(s, deadline_s=5)
        self.assertEqual(a.status, 403, a)
        self.assertTrue(a.closed)


def hold_connection(port, source="127.0.0.1"):
    """A connection the server has accepted and answered once, kept open."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0))
    s.sendall(request_bytes("GET", "/health", port))
    return s, read_answer(s)


class ConnectionCaps(unittest.TestCase):
    def test_connections_beyond_the_caps_get_503_and_are_closed(self):
        server = Server(store="memory", args=["--max-connections", "5", "--max-connections-per-client", "3"])
        self.addCleanup(server.close)
        held = []
        try:
            for _ in range(3):
                s, a = hold_connection(server.port)
                held.append(s)
                self.assertEqual(a.status, 200)
            s, a = hold_connection(server.port)  # a 4th from 127.0.0.1
            held.append(s)
            self.assertEqual(a.status, 503, a)
            self.assertEqual(a.json()["error"]["code"], "server_busy")
            self.assertEqual(a.headers.get("retry-after"), "1")
            self.assertTrue(a.closed)
            for _ in range(2):  # another client address has a cap of its own...
                s, a = hold_connection(server.port, source="127.0.0.2")
                held.append(s)
                self.assertEqual(a.status, 200, a)
            s, a = hold_connection(server.port, source="127.0.0.3")  # ...but not beyond the total
            held.append(s)
            self.assertEqual(a.status, 503, a)
            held.pop(0).close()  # one of 127.0.0.1's closes: its place is free again
            wait_until(lambda: hold_connection(server.port)[1].status == 200, timeout=5,
                       message="a connection to be accepted once one closed")
        finally:
            for s in held:
                s.close()

    def test_bodies_beyond_the_buffer_budget_get_503_before_they_are_read(self):
        server = Server(store="memory", args=["--max-body-bytes", "4096", "--max-buffered-bytes", "8192"])
        self.addCleanup(server.close)
        body = json.dumps({"type": "x", "queue": unique(), "payload": "p" * 3900}).encode()
        data = request_bytes("POST", "/api/v1/jobs", server.port, body=body)
        head_len = len(data) - len(body)
        halves = []
        try:
            for _ in range(2):  # two bodies of ~4 KB half sent: 8 KB reserved
                s = connect(server.port)
                halves.append(s)
                s.sendall(data[:head_len + 100])
                wait_until(lambda: request_read_by_server(s), timeout=5, message="the server to read the half")
            third = exchange(server.port, data)
            self.assertEqual(third.status, 503, third)
            self.assertTrue(third.closed)
            halves[0].sendall(data[head_len + 100:])
            self.assertEqual(read_answer(halves[0]).status, 201)
            self.assertEqual(exchange(server.port, data).status, 201)  # the budget was given back
        finally:
            for s in halves:
                s.close()


def read_answers(sock, n, deadline_s=10.0):
    """Reads n answers in a row from one connection (read_answer drops what follows its own)."""
    deadline = time.monotonic() + deadline_s
    data, answers = b"", []
    while len(answers) < n:
        head_end = data.find(b"\r\n\r\n")
        if head_end >= 0:
            head = data[:head_end].decode("latin-1").split("\r\n")
            length = next((int(line.split(":", 1)[1]) for line in head
                           if line.lower().startswith("content-length:")), 0)
            if len(data) >= head_end + 4 + length:
                body = data[head_end + 4:head_end + 4 + length]
                answers.append((int(head[0].split()[1]), json.loads(body) if body else None))
                data = data[head_end + 4 + length:]
                continue
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError(f"closed after {len(answers)} of {n} answers; then {data[:200]!r}")
        data += chunk
    return answers


class RequestsAsTheyArrive(ServerTestCase):
    """A request is parsed from what was already read when it is whole there, and read on when it
    is not; an answer is written at once while the socket takes it, and the rest as it drains."""

    store = "memory"

    def submit_bytes(self, queue):
        return request_bytes("POST", "/api/v1/jobs", self.server.port,
                             body={"type": "x", "queue": queue})

    def test_requests_sent_together_are_answered_in_order(self):
        queues = [unique("p") for _ in range(3)]
        with connect(self.server.port) as s:
            s.sendall(b"".join(self.submit_bytes(q) for q in queues) +
                      request_bytes("GET", "/api/v1/health", self.server.port))
            answers = read_answers(s, 4)
        self.assertEqual([status for status, _ in answers], [201, 201, 201, 200], answers)
        self.assertEqual([job["queue"] for _, job in answers[:3]], queues)

    def test_a_request_sent_in_pieces_is_answered(self):
        data = self.submit_bytes(self.queue)
        header_end = data.index(b"\r\n\r\n") + 4
        for cuts in ([10], [header_end - 1], [header_end], [header_end + 5],
                     [7, header_end, len(data) - 1]):
            with self.subTest(cuts=cuts), connect(self.server.port) as s:
                start = 0
                for cut in cuts:
                    s.sendall(data[start:cut])
                    wait_until(lambda: request_read_by_server(s), timeout=5,
                               message="the server to read the piece")
                    start = cut
                s.sendall(data[start:])
                a = read_answer(s)
                self.assertEqual(a.status, 201, a)
                self.assertEqual(a.json()["queue"], self.queue)
                self.assertFalse(a.closed)
                # The connection goes on: the next request on it is answered too.
                s.sendall(request_bytes("GET", "/api/v1/health", self.server.port))
                self.assertEqual(read_answer(s).status, 200)

    def test_an_answer_larger_than_the_socket_takes_arrives_whole(self):
        # Eight jobs of 700 KB: a 5.6 MB page, more than a socket's send buffer grows to (4 MB).
        payload = "y" * 700_000
        for _ in range(8):
            self.api.submit(type="x", queue=self.queue, payload=payload)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connecting: a small window
        s.settimeout(10)
        s.connect(("127.0.0.1", self.server.port))
        with s:
            s.sendall(request_bytes("GET", f"/api/v1/jobs?queue={self.queue}", self.server.port))
            [(status, page)] = read_answers(s, 1, deadline_s=30)
            self.assertEqual(status, 200)
            self.assertEqual(len(page["jobs"]), 8)
            self.assertTrue(all(job["payload"] == payload for job in page["jobs"]))
            s.sendall(request_bytes("GET", "/api/v1/health", self.server.port))
            self.assertEqual(read_answers(s, 1)[0][0], 200)


class SlowClients(unittest.TestCase):
    def test_a_request_that_takes_too_long_to_arrive_is_dropped(self):
        server = Server(store="memory", args=["--request-timeout-ms", "500"])
        self.addCleanup(server.close)
        with connect(server.port) as s:
            s.sendall(b"GET /health HTTP/1.1\r\nHo")  # and nothing more
            start = time.monotonic()
            s.settimeout(10)
            try:
                got = s.recv(1024)
            except ConnectionResetError:
                got = b""
            elapsed = time.monotonic() - start
        self.assertEqual(got, b"")
        self.assertLess(elapsed, 5.0, "the request timeout, not the idle one, must apply")
        self.assertEqual(exchange(server.port, request_bytes("GET", "/health", server.port)).status, 200)

    def test_an_idle_connection_is_closed_after_the_idle_timeout(self):
        server = Server(store="memory", args=["--idle-timeout-ms", "300"])
        self.addCleanup(server.close)
        with connect(server.port) as s:
            s.settimeout(10)
            start = time.monotonic()
            self.assertEqual(s.recv(1), b"")
            self.assertLess(time.monotonic() - start, 5.0)


class ShutdownWhileARequestArrives(unittest.TestCase):
    def test_a_request_half_sent_at_sigterm_is_read_and_answered(self):
        server = Server(store="sqlite", args=["--shutdown-grace-ms", "10000"])
        self.addCleanup(server.close)
        queue = unique()
        body = json.dumps({"type": "x", "queue": queue}).encode()
        data = request_bytes("POST", "/api/v1/jobs", server.port, body=body)
        with connect(server.port) as s:
            s.sendall(data[:len(data) - len(body) - 10])  # not even the whole header
            wait_until(lambda: request_read_by_server(s), timeout=5, message="the server to read the start")
            server.signal(signal.SIGTERM)
            wait_until(lambda: "SIGTERM received" in server.log(), timeout=5, message="the SIGTERM log line")
            s.sendall(data[len(data) - len(body) - 10:])
            a = read_answer(s)
        self.assertEqual(a.status, 201, a)
        self.assertEqual(a.headers.get("connection"), "close")
        self.assertEqual(server.wait_exit(), 0, server.log_tail())
        server.start()
        api = server.api()
        self.addCleanup(api.close)
        self.assertEqual(api.status_of(a.json()["id"]), "queued")


if __name__ == "__main__":
    unittest.main()
