"""A long poll whose client hangs up stops waiting: no job is leased to a closed connection."""
import json
import socket
import unittest

from jobqd import ServerTestCase, leases_waiting, unique, wait_until


class HangupDuringLongPoll(ServerTestCase):
    store = "memory"

    def raw_request(self, method, path, body):
        data = json.dumps(body).encode() if body is not None else b""
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
        s.sendall(
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n\r\n".encode() + data)
        return s

    def test_a_worker_that_hangs_up_no_longer_takes_jobs(self):
        queue = unique()
        before = leases_waiting(self.api)
        s = self.raw_request("POST", "/api/v1/lease",
                             {"worker_id": "gone", "queues": [queue], "wait_ms": 60000})
        wait_until(lambda: leases_waiting(self.api) == before + 1, timeout=5.0,
                   message="the raw long poll never started waiting")
        s.close()
        wait_until(lambda: leases_waiting(self.api) == before, timeout=5.0,
                   message="the server kept waiting for a client that hung up")
        job = self.api.submit(type="t", queue=queue)
        self.assertEqual(self.api.status_of(job["id"]), "queued")
        leased = self.api.lease("alive", queues=[queue], wait_ms=0)
        self.assertEqual([j["id"] for j in leased], [job["id"]])

    def test_a_waiter_that_hangs_up_is_let_go_and_the_server_carries_on(self):
        job = self.api.submit(type="t", queue=unique())
        s = self.raw_request("GET", f"/api/v1/jobs/{job['id']}/wait?timeout_ms=60000", None)
        s.close()
        # The server stays healthy and answers the next wait at once once the job is cancelled.
        self.api.cancel(job["id"])
        self.assertEqual(self.api.wait(job["id"], 5000)["status"], "cancelled")


if __name__ == "__main__":
    unittest.main()
