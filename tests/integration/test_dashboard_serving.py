"""How jobqd serves the dashboard (docs/api.md "Dashboard"): the page at / and at each page's deep
link, its files under /ui/ with their Content-Type and ETag, no key needed for them; and the two
things the dashboard needs from the API: GET /api/v1/whoami, and a key on a WebSocket given as a
subprotocol (docs/api.md "API keys and roles"). The browser tests are in tests/dashboard/."""

import asyncio
import base64
import unittest

from jobqd import Server, assert_error, unique
from live import OPEN_TIMEOUT_S, InvalidStatusCode, websockets

KEYS = {"admin": "a-key", "producer": "p-key", "worker": "w-key", "viewer": "v:key?"}
API_KEYS = ",".join(f"{key}:{role}" for role, key in KEYS.items())
PAGES = ("/", "/jobs", "/jobs/0190b6a4-7c3e-7a21-9f00-5d2c4e8a1b77", "/workers", "/dead-letters", "/queues", "/schedules")


def bearer_protocol(key):
    return "jobq.bearer." + base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


async def first_event(port, protocols, submit):
    """Opens /api/v1/events/ws offering `protocols`; -> (chosen subprotocol, first event) or the
    refusal's HTTP status."""
    try:
        ws = await websockets.connect(f"ws://127.0.0.1:{port}/api/v1/events/ws", subprotocols=protocols,
                                      open_timeout=OPEN_TIMEOUT_S, close_timeout=2, compression=None)
    except InvalidStatusCode as e:
        return e.status_code
    try:
        await asyncio.get_running_loop().run_in_executor(None, submit)
        message = await asyncio.wait_for(ws.recv(), 10)
        return ws.subprotocol, message
    finally:
        await ws.close()


class DashboardFiles(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server(store="memory", args=["--api-keys", API_KEYS])
        cls.addClassCleanup(cls.server.close)
        cls.anon = cls.server.api()
        cls.addClassCleanup(cls.anon.close)

    def get(self, path, headers=None):
        status, _, hdrs = self.anon.request("GET", path, headers=headers, absolute=True)
        return status, self.anon.last_text, hdrs

    def test_every_page_path_serves_the_page_without_a_key(self):
        bodies = set()
        for path in PAGES:
            status, body, headers = self.get(path)
            self.assertEqual(status, 200, path)
            self.assertEqual(headers["Content-Type"], "text/html; charset=utf-8", path)
            self.assertIn('<script type="module" src="/ui/app.js">', body, path)
            self.assertIn("script-src 'self'", headers["Content-Security-Policy"], path)
            bodies.add(body)
        self.assertEqual(len(bodies), 1, "every deep link serves the same index.html")

    def test_files_carry_their_content_type(self):
        for name, kind in (("app.js", "text/javascript; charset=utf-8"), ("style.css", "text/css; charset=utf-8")):
            status, body, headers = self.get("/ui/" + name)
            self.assertEqual(status, 200, name)
            self.assertEqual(headers["Content-Type"], kind, name)
            self.assertEqual(headers["X-Content-Type-Options"], "nosniff")
            self.assertTrue(body.strip(), name)

    def test_a_current_etag_gets_304_and_a_stale_one_the_file(self):
        status, body, headers = self.get("/ui/app.js")
        etag = headers["ETag"]
        self.assertRegex(etag, r'^"[0-9a-f]{20}"$')
        self.assertEqual(headers["Cache-Control"], "no-cache")
        status, again, headers = self.get("/ui/app.js", {"If-None-Match": etag})
        self.assertEqual(status, 304)
        self.assertEqual(again, "")
        self.assertEqual(headers["ETag"], etag)
        self.assertEqual(self.get("/ui/app.js", {"If-None-Match": f'"0000", W/{etag}'})[0], 304)
        status, again, _ = self.get("/ui/app.js", {"If-None-Match": '"0000"'})
        self.assertEqual(status, 200)
        self.assertEqual(again, body)
        self.assertNotEqual(self.get("/ui/style.css")[2]["ETag"], etag, "each file has its own tag")

    def test_an_unknown_file_is_404(self):
        assert_error(self, self.anon.request("GET", "/ui/nope.js", absolute=True), 404, "not_found")
        assert_error(self, self.anon.request("GET", "/nope", absolute=True), 404, "route_not_found")


class WhoAmI(unittest.TestCase):
    def test_each_key_learns_its_role(self):
        with Server(store="memory", args=["--api-keys", API_KEYS]) as server:
            for role, key in KEYS.items():
                api = server.api(api_key=key)
                self.assertEqual(api.call("GET", "/whoami"), {"role": role, "keys": True})
                api.close()
            anon = server.api()
            assert_error(self, anon.request("GET", "/whoami"), 401, "unauthorized")
            anon.close()

    def test_without_keys_everyone_is_admin(self):
        with Server(store="memory") as server:
            api = server.api()
            self.assertEqual(api.call("GET", "/whoami"), {"role": "admin", "keys": False})
            api.close()


class WebSocketKeyAsSubprotocol(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server(store="memory", args=["--api-keys", API_KEYS])
        cls.addClassCleanup(cls.server.close)
        cls.admin = cls.server.api(api_key=KEYS["admin"])
        cls.addClassCleanup(cls.admin.close)

    def open(self, protocols):
        queue = unique("q")
        return asyncio.run(first_event(self.server.port, protocols,
                                       lambda: self.admin.submit(type="t", queue=queue))), queue

    def test_a_known_key_opens_the_stream_and_jobq_is_chosen(self):
        # The viewer's key has ':' and '?', which a subprotocol token could not carry unencoded.
        answer, queue = self.open(["jobq", bearer_protocol(KEYS["viewer"])])
        self.assertIsInstance(answer, tuple, f"refused with {answer}")
        protocol, message = answer
        self.assertEqual(protocol, "jobq")
        self.assertIn(queue, message)

    def test_an_unknown_or_missing_key_is_refused(self):
        self.assertEqual(self.open(["jobq", bearer_protocol("not-a-key")])[0], 401)
        self.assertEqual(self.open(["jobq"])[0], 401)


if __name__ == "__main__":
    unittest.main()
