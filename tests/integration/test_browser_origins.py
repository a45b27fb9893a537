"""What a web page in a browser can make jobqd do. Without keys, a page on another site, or on a
DNS name rebound to 127.0.0.1, must not reach the API; with cors_origins, listed pages may."""

import base64
import os
import unittest

from jobqd import Server, ServerTestCase, unique
from raw_http import exchange, request_bytes

EVIL = "http://evil.example"


def ws_handshake(path, port, headers=None):
    h = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
         "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode()}
    h.update(headers or {})
    return request_bytes("GET", path, port, h)


class WithoutKeys(ServerTestCase):
    store = "memory"

    def send(self, method, path, headers=None, body=b""):
        return exchange(self.server.port, request_bytes(method, path, self.server.port, headers, body))

    def test_a_foreign_origin_is_refused_before_anything_happens(self):
        before = self.api.job_count()
        for method, path, body in (("POST", "/api/v1/jobs", {"type": "x", "queue": self.queue}),
                                   ("POST", "/api/v1/maintenance/purge", {}),
                                   ("GET", "/api/v1/jobs", b"")):
            with self.subTest(path=path):
                a = self.send(method, path, {"Origin": EVIL}, body)
                self.assertEqual(a.status, 403, a)
                self.assertEqual(a.json()["error"]["code"], "origin_not_allowed")
                self.assertEqual(a.error_field(), "Origin")
                self.assertNotIn("access-control-allow-origin", a.headers)
        self.assertEqual(self.api.job_count(), before)

    def test_a_foreign_origin_gets_no_websocket(self):
        a = exchange(self.server.port, ws_handshake("/api/v1/events/ws", self.server.port, {"Origin": EVIL}))
        self.assertEqual(a.status, 403, a)
        self.assertEqual(a.error_field(), "Origin")

    def test_its_own_origin_is_served(self):
        own = f"http://127.0.0.1:{self.server.port}"
        a = self.send("POST", "/api/v1/jobs", {"Origin": own}, {"type": "x", "queue": self.queue})
        self.assertEqual(a.status, 201, a)
        a = exchange(self.server.port, ws_handshake("/api/v1/events/ws", self.server.port, {"Origin": own}))
        self.assertEqual(a.status, 101, a)
        self.assertEqual(a.headers.get("server"), "jobq")
        self.assertTrue(a.headers.get("x-request-id"))

    def test_a_body_that_is_not_declared_json_is_415(self):
        for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
            with self.subTest(content_type=content_type):
                a = self.send("POST", "/api/v1/jobs", {"Content-Type": content_type},
                              {"type": "x", "queue": self.queue})
                self.assertEqual(a.status, 415, a)
                self.assertEqual(a.error_field(), "Content-Type")
        a = self.send("POST", "/api/v1/jobs", {"Content-Type": "application/json; charset=utf-8"},
                      {"type": "x", "queue": self.queue})
        self.assertEqual(a.status, 201, a)

    def test_a_foreign_host_is_refused_while_no_keys_are_set(self):
        # DNS rebinding: a page on evil.example, resolved to 127.0.0.1, reads the API as its own.
        for host in ("evil.example", f"evil.example:{self.server.port}", "10.0.0.1"):
            with self.subTest(host=host):
                a = self.send("GET", "/api/v1/jobs", {"Host": host})
                self.assertEqual(a.status, 421, a)
                self.assertEqual(a.error_field(), "Host")
        for host in (f"localhost:{self.server.port}", f"127.0.0.1:{self.server.port}", "[::1]"):
            with self.subTest(host=host):
                self.assertEqual(self.send("GET", "/api/v1/jobs", {"Host": host}).status, 200)

    def test_a_preflight_from_an_unlisted_origin_is_refused(self):
        a = self.send("OPTIONS", "/api/v1/jobs", {"Origin": EVIL, "Access-Control-Request-Method": "POST"})
        self.assertEqual(a.status, 403, a)
        self.assertNotIn("access-control-allow-origin", a.headers)


class WithListedOriginsAndHosts(ServerTestCase):
    store = "memory"
    server_args = ("--cors-origins", "https://app.example.com, http://localhost:3000",
                   "--allowed-hosts", "jobq.internal")
    APP = "https://app.example.com"

    def send(self, method, path, headers=None, body=b""):
        return exchange(self.server.port, request_bytes(method, path, self.server.port, headers, body))

    def test_a_listed_origin_gets_its_preflight_answered(self):
        a = self.send("OPTIONS", "/api/v1/jobs", {
            "Origin": self.APP, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type"})
        self.assertEqual(a.status, 204, a)
        self.assertEqual(a.headers["access-control-allow-origin"], self.APP)
        allowed = a.headers["access-control-allow-headers"].lower()
        self.assertIn("authorization", allowed)
        self.assertIn("content-type", allowed)
        self.assertIn("POST", a.headers["access-control-allow-methods"])
        self.assertIn("Origin", a.headers.get("vary", ""))

    def test_a_listed_origin_gets_cors_headers_on_answers_and_errors(self):
        a = self.send("POST", "/api/v1/jobs", {"Origin": self.APP}, {"type": "x", "queue": self.queue})
        self.assertEqual(a.status, 201, a)
        self.assertEqual(a.headers["access-control-allow-origin"], self.APP)
        bad = self.send("POST", "/api/v1/jobs", {"Origin": self.APP}, {"queue": self.queue})
        self.assertEqual(bad.status, 400, bad)
        self.assertEqual(bad.headers["access-control-allow-origin"], self.APP)

    def test_an_unlisted_origin_is_still_refused(self):
        a = self.send("POST", "/api/v1/jobs", {"Origin": "https://app.example.com.evil.example"},
                      {"type": "x", "queue": self.queue})
        self.assertEqual(a.status, 403, a)

    def test_a_listed_host_name_is_answered(self):
        self.assertEqual(self.send("GET", "/api/v1/jobs", {"Host": "jobq.internal"}).status, 200)
        self.assertEqual(self.send("GET", "/api/v1/jobs", {"Host": "other.internal"}).status, 421)


class WithKeys(unittest.TestCase):
    def test_any_host_name_is_answered_with_a_key(self):
        server = Server(store="memory", args=["--api-keys", "k1:admin"], api_key="k1")
        self.addCleanup(server.close)
        a = exchange(server.port, request_bytes("GET", "/api/v1/jobs", server.port,
                                                {"Host": "jobq.example.com", "Authorization": "Bearer k1"}))
        self.assertEqual(a.status, 200, a)
        a = exchange(server.port, request_bytes("POST", "/api/v1/jobs", server.port,
                                                {"Origin": EVIL, "Authorization": "Bearer k1"},
                                                {"type": "x", "queue": unique()}))
        self.assertEqual(a.status, 403, a)


if __name__ == "__main__":
    unittest.main()
