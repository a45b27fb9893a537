"""Clients that misbehave: idle and trickling connections, a watcher that never reads, more
connections than jobqd has descriptors for, workers racing with stale lease tokens, and poison
pills that kill their worker every time."""

import base64
import os
import resource
import socket
import subprocess
import sys
import threading
import time
import unittest

from support import Api, Server, own_server, rounds, unique, wait_until
from raw_http import exchange, read_answer, request_bytes  # tests/integration, via support


def health(server):
    return exchange(server.port, request_bytes("GET", "/health", server.port), deadline_s=5).status


def close_code_after_messages(sock):
    """Reads a server's WebSocket frames (unmasked) until its close frame; -> the close code."""
    buf = b""
    def need(n):
        nonlocal buf
        while len(buf) < n:
            chunk = sock.recv(65536)
            if not chunk:
                raise AssertionError("the connection ended without a close frame")
            buf += chunk
    while True:
        need(2)
        opcode, length, at = buf[0] & 0x0F, buf[1] & 0x7F, 2
        if length == 126:
            need(4)
            length, at = int.from_bytes(buf[2:4], "big"), 4
        elif length == 127:
            need(10)
            length, at = int.from_bytes(buf[2:10], "big"), 10
        need(at + length)
        payload, buf = buf[at:at + length], buf[at + length:]
        if opcode == 0x8:
            return int.from_bytes(payload[:2], "big")


class IdleAndSlowClients(unittest.TestCase):
    def test_idle_and_trickling_connections_do_not_block_others(self):
        server = Server(store="memory", args=["--request-timeout-ms", "2000", "--idle-timeout-ms", "3000"])
        self.addCleanup(server.close)
        # From other client addresses than the test's own (127.0.0.1), as from other machines: one
        # address is capped (max_connections_per_client), and the cap is not what is tested here.
        idle = [socket.create_connection(("127.0.0.1", server.port), source_address=("127.0.0.2", 0))
                for _ in range(rounds(100, 400))]
        trickling = []
        for _ in range(rounds(50, 200)):
            s = socket.create_connection(("127.0.0.1", server.port), source_address=("127.0.0.3", 0))
            s.sendall(b"POST /api/v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n")
            trickling.append(s)
        try:
            api = server.api()
            self.addCleanup(api.close)
            for _ in range(20):
                api.submit(type="t", queue=unique())  # answered while the others hang on
            # The server drops them all: the trickles at the request timeout, the idle at theirs.
            def all_closed():
                for s in idle + trickling:
                    s.settimeout(0.001)
                    try:
                        if s.recv(1) != b"":
                            return False
                    except socket.timeout:
                        return False
                    except ConnectionResetError:
                        pass
                return True
            wait_until(all_closed, timeout=15, interval=0.2, message="the server to drop idle and slow connections")
            self.assertEqual(health(server), 200)
        finally:
            for s in idle + trickling:
                s.close()

    def test_a_watcher_that_never_reads_is_dropped_and_others_go_on(self):
        server = Server(store="memory")
        self.addCleanup(server.close)
        key = base64.b64encode(os.urandom(16)).decode()
        stuck = socket.socket()
        stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connect, to count
        stuck.connect(("127.0.0.1", server.port))
        stuck.sendall(request_bytes("GET", "/api/v1/events/ws", server.port, {
            "Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": key}))
        self.addCleanup(stuck.close)
        self.assertEqual(read_answer(stuck).status, 101)
        api = server.api()
        self.addCleanup(api.close)
        queue = unique()
        # Each submit is an event. What the socket buffers hold is not behind yet, so 30,000
        # events, not just over 10,000, make sure the watcher falls over its 10,000 behind.
        for _ in range(30):
            api.submit_batch([{"type": "t", "queue": queue} for _ in range(1000)])
        self.assertEqual(health(server), 200)
        # It is dropped: what it was sent ends with a close frame, 1008 (policy: too slow).
        stuck.settimeout(10)
        self.assertEqual(close_code_after_messages(stuck), 1008)
        self.assertEqual(api.job_count(), 30000)


class DescriptorLimit(unittest.TestCase):
    def test_more_connections_than_descriptors(self):
        limit = 64
        def low_limit():
            resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))
        server = Server(store="sqlite", start=False)
        self.addCleanup(server.close)
        original = subprocess.Popen
        def popen(*a, **kw):
            kw["preexec_fn"] = low_limit
            return original(*a, **kw)
        subprocess.Popen = popen
        try:
            server.start()
        finally:
            subprocess.Popen = original
        held = []
        try:
            for _ in range(limit * 2):
                held.append(socket.create_connection(("127.0.0.1", server.port), timeout=5))
            # With descriptors free again it answers; the rest waited in the backlog or were served.
            for s in held:
                s.close()
            held = []
            wait_until(lambda: health(server) == 200, timeout=10, message="health after the flood")
            api = server.api()
            self.addCleanup(api.close)
            job = api.submit(type="t", queue=unique())
            self.assertEqual(api.status_of(job["id"]), "queued")
        finally:
            for s in held:
                s.close()
        server.stop()


class StaleTokens(unittest.TestCase):
    def test_only_the_current_lease_completes(self):
        server, api = own_server(self)
        for _ in range(rounds(5, 25)):
            queue = unique()
            job = api.submit(type="t", queue=queue)
            old = api.lease_one("a", queues=[queue], lease_ms=1000)
            wait_until(lambda: api.status_of(job["id"]) == "queued", timeout=10,
                       message="the first lease to run out")
            new = api.lease_one("b", queues=[queue], lease_ms=30000)
            answers = {}
            def complete(name, token):
                a = Api(server)
                try:
                    answers[name] = a.request("POST", f"/jobs/{job['id']}/complete", {"lease_token": token})[0]
                finally:
                    a.close()
            threads = [threading.Thread(target=complete, args=("old", old["lease_token"])),
                       threading.Thread(target=complete, args=("new", new["lease_token"]))]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=15)
            self.assertEqual(answers, {"old": 409, "new": 200})
            self.assertEqual(api.status_of(job["id"]), "completed")


POISON_WORKER = r"""
import json, os, sys, http.client
port, queue = int(sys.argv[1]), sys.argv[2]
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
body = json.dumps({"worker_id": f"w{os.getpid()}", "queues": [queue], "lease_ms": 1000, "wait_ms": 5000})
conn.request("POST", "/api/v1/lease", body, {"Content-Type": "application/json"})
jobs = json.loads(conn.getresponse().read())["jobs"]
for job in jobs:
    if job["type"] == "poison":
        os._exit(13)  # the worker dies holding the lease
    conn.request("POST", f"/api/v1/jobs/{job['id']}/complete",
                 json.dumps({"lease_token": job["lease_token"]}), {"Content-Type": "application/json"})
    conn.getresponse().read()
"""


class PoisonPills(unittest.TestCase):
    def test_a_job_that_kills_every_worker_ends_in_the_dead_letters(self):
        server, api = own_server(self)
        queue = unique()
        poison = api.submit(type="poison", queue=queue, max_attempts=3, priority=100,
                            backoff={"initial_ms": 0, "factor": 1, "max_ms": 0, "jitter": False})
        good = [api.submit(type="good", queue=queue, priority=0) for _ in range(3)]
        deadline = time.monotonic() + 60
        exits = []
        while api.status_of(poison["id"]) != "failed" or any(api.status_of(g["id"]) != "completed" for g in good):
            self.assertLess(time.monotonic(), deadline, f"poison: {api.get(poison['id'])}")
            exits.append(subprocess.run([sys.executable, "-c", POISON_WORKER, str(server.port), queue],
                                        timeout=30).returncode)
        final = api.get(poison["id"])
        self.assertEqual(final["attempt"], 3)
        self.assertIn("lease expired", final["error"]["message"])
        self.assertEqual(exits.count(13), 3, "the poison killed one worker per attempt")
        dead = [d["id"] for d in api.dead_letters()["jobs"]]
        self.assertIn(poison["id"], dead)


if __name__ == "__main__":
    unittest.main()
