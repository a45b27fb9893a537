"""Graceful shutdown: SIGTERM answers what is in flight, then the server exits 0."""

import http.client
import json
import signal
import time
import unittest

from jobqd import Server, request_read_by_server, unique, wait_until


class GracefulShutdown(unittest.TestCase):
    def setUp(self):
        self.server = Server(store="sqlite")
        self.addCleanup(self.server.close)
        self.queue = unique("q")

    def start_long_poll(self, worker_id, wait_ms=30000):
        """Sends a long-poll lease on a connection of its own and waits until the server has read it."""
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        self.addCleanup(conn.close)
        body = json.dumps({"worker_id": worker_id, "queues": [self.queue], "wait_ms": wait_ms})
        conn.request("POST", "/api/v1/lease", body=body, headers={"Content-Type": "application/json"})
        wait_until(lambda: request_read_by_server(conn.sock), timeout=5.0,
                   message="the server to read the lease request")
        return conn

    def answer(self, conn):
        """-> (status, JSON body) of the request in flight on conn; a dropped connection fails the test."""
        try:
            resp = conn.getresponse()
            return resp.status, json.loads(resp.read())
        except (OSError, http.client.HTTPException, ValueError) as e:
            self.fail(f"the long poll in flight got no answer: {type(e).__name__}: {e}\n{self.server.log_tail()}")

    def test_a_long_poll_in_flight_is_answered_empty_and_the_server_exits_0(self):
        conn = self.start_long_poll("w1")
        self.server.signal(signal.SIGTERM)
        sent = time.monotonic()
        status, body = self.answer(conn)
        answered_after = time.monotonic() - sent
        self.assertEqual(status, 200, body)
        self.assertEqual(body, {"jobs": []})
        self.assertLess(answered_after, 5.0, "shutdown must not wait out the long poll")
        self.assertEqual(self.server.wait_exit(), 0, self.server.log_tail())

    def test_every_long_poll_in_flight_is_answered(self):
        conns = [self.start_long_poll(f"w{i}") for i in range(4)]
        self.server.signal(signal.SIGTERM)
        for conn in conns:
            status, body = self.answer(conn)
            self.assertEqual(status, 200, body)
            self.assertEqual(body["jobs"], [])
        self.assertEqual(self.server.wait_exit(), 0, self.server.log_tail())

    def test_sigterm_while_idle_exits_0_promptly(self):
        api = self.server.api()
        self.addCleanup(api.close)
        api.submit(type="t", queue=self.queue)
        t0 = time.monotonic()
        self.server.stop()
        self.assertLess(time.monotonic() - t0, 5.0)

    def test_a_job_submitted_before_sigterm_is_kept(self):
        api = self.server.api()
        self.addCleanup(api.close)
        job = api.submit(type="t", queue=self.queue, payload="keep me")
        self.server.restart()
        self.assertEqual(api.get(job["id"])["payload"], "keep me")
        self.server.stop()

    def test_sigint_is_a_graceful_stop_too(self):
        conn = self.start_long_poll("w1")
        self.server.signal(signal.SIGINT)
        status, body = self.answer(conn)
        self.assertEqual(status, 200, body)
        self.assertEqual(body, {"jobs": []})
        self.assertEqual(self.server.wait_exit(), 0, self.server.log_tail())


if __name__ == "__main__":
    unittest.main()
