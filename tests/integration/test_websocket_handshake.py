"""A WebSocket opening handshake that RFC 6455 does not allow is refused in the API's own error
format (JSON, X-Request-Id, Server: jobq), and logged with the status it got."""

import base64
import os
import unittest

from jobqd import ServerTestCase
from raw_http import exchange, request_bytes

PATH = "/api/v1/events/ws"


class Handshake(ServerTestCase):
    store = "memory"

    def handshake(self, **fields):
        h = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
             "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode()}
        h.update({k.replace("_", "-"): v for k, v in fields.items()})
        return exchange(self.server.port, request_bytes("GET", PATH, self.server.port, h))

    def assert_api_error(self, a, status, field):
        self.assertEqual(a.status, status, a)
        self.assertEqual(a.headers.get("content-type"), "application/json")
        self.assertEqual(a.headers.get("server"), "jobq")
        self.assertTrue(a.headers.get("x-request-id"))
        self.assertEqual(a.error_field(), field)
        log_line = [l for l in self.server.log().splitlines() if a.headers["x-request-id"] + " " in l]
        self.assertTrue(log_line and f"-> {status} " in log_line[-1], log_line)

    def test_a_short_key_is_400(self):
        for key in ("abc", base64.b64encode(b"x" * 15).decode(), base64.b64encode(b"x" * 17).decode(),
                    "not base64 at all!!!!!!="):
            with self.subTest(key=key):
                self.assert_api_error(self.handshake(Sec_WebSocket_Key=key), 400, "Sec-WebSocket-Key")
        self.assert_api_error(self.handshake(Sec_WebSocket_Key=None), 400, "Sec-WebSocket-Key")

    def test_another_version_is_426_naming_13(self):
        a = self.handshake(Sec_WebSocket_Version="8")
        self.assert_api_error(a, 426, "Sec-WebSocket-Version")
        self.assertEqual(a.headers.get("sec-websocket-version"), "13")

    def test_no_upgrade_is_426(self):
        a = self.handshake(Upgrade=None, Connection=None)
        self.assert_api_error(a, 426, "Upgrade")
        self.assertEqual(a.headers.get("upgrade"), "websocket")

    def test_a_proper_handshake_is_101_from_jobq(self):
        a = self.handshake()
        self.assertEqual(a.status, 101, a)
        self.assertEqual(a.headers.get("server"), "jobq")
        self.assertTrue(a.headers.get("x-request-id"))


if __name__ == "__main__":
    unittest.main()
