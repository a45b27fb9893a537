"""The OpenAPI document served at /api/v1/openapi.json against the real jobqd: every operation it
lists is routed (no 404 route_not_found, no 405), and the document needs no key."""

import http.client
import json
import re
import unittest
import uuid

from jobqd import Server, ServerTestCase, unique

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
HEADERS_TIMEOUT_S = 10.0
STREAM_HEADERS_TIMEOUT_S = 3.0


def fetch_document(server, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=HEADERS_TIMEOUT_S)
    try:
        conn.request("GET", "/api/v1/openapi.json", headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.getheader("Content-Type"), resp.read()
    finally:
        conn.close()


def is_websocket(op):
    return bool(op.get("x-jobq-websocket")) or "101" in op.get("responses", {})


def is_event_stream(op):
    return any("text/event-stream" in (r.get("content") or {}) for r in op.get("responses", {}).values())


def fill(path):
    """The path with each {param} replaced: a fresh job id for {id}, a fresh name otherwise."""
    return re.sub(r"\{([^}]+)\}", lambda m: str(uuid.uuid4()) if m.group(1) == "id" else unique(m.group(1)), path)


class OpenApiDocument(ServerTestCase):
    store = "memory"

    def test_is_served_as_json(self):
        status, content_type, body = fetch_document(self.server)
        self.assertEqual(status, 200, body[:500])
        self.assertTrue(content_type.startswith("application/json"), content_type)
        doc = json.loads(body)
        self.assertEqual(doc["openapi"], "3.0.3")
        self.assertIn("/api/v1/jobs", doc["paths"])

    def test_every_operation_is_routed(self):
        """Each path and method of the document, with made-up ids and an empty body: whatever the
        answer (400, 404 not_found, 200...), it must not be route_not_found or method_not_allowed."""
        status, _, body = fetch_document(self.server)
        self.assertEqual(status, 200)
        doc = json.loads(body)
        unrouted, tried = [], 0
        for path, item in doc["paths"].items():
            for method in METHODS:
                op = item.get(method)
                if op is None or is_websocket(op):
                    continue
                tried += 1
                target = fill(path)
                problem = self.send(method.upper(), target, has_body="requestBody" in op,
                                    stream=is_event_stream(op))
                if problem:
                    unrouted.append(f"{method.upper()} {path} (sent {target}): {problem}")
        self.assertGreater(tried, 0)
        if unrouted:
            self.fail(f"{len(unrouted)} of {tried} documented operations are not routed by jobqd:\n  "
                      + "\n  ".join(unrouted))

    def send(self, method, target, has_body, stream=False):
        """-> None if the server routed the request, else what went wrong. Reads only the headers of
        an answer other than 404 and 405, so that event streams do not keep the test waiting; an
        event stream that sends no headers until its first event counts as routed (the router
        answers a missing route at once)."""
        timeout = STREAM_HEADERS_TIMEOUT_S if stream else HEADERS_TIMEOUT_S
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=timeout)
        try:
            body = b"{}" if has_body else None
            headers = {"Accept": "application/json"}
            if body is not None:
                headers["Content-Type"] = "application/json"
            conn.request(method, target, body=body, headers=headers)
            resp = conn.getresponse()
            if resp.status not in (404, 405):
                return None
            raw = resp.read(64 * 1024)
            try:
                code = json.loads(raw)["error"]["code"]
            except (ValueError, KeyError, TypeError):
                code = None
            if resp.status == 405:
                return f"405 {code}"
            if code == "route_not_found":
                return "404 route_not_found"
            return None
        except TimeoutError:
            return None if stream else f"no answer within {timeout} s"
        except OSError as e:
            return f"{type(e).__name__}: {e}"
        finally:
            conn.close()


class OpenApiWithKeys(unittest.TestCase):
    def test_needs_no_key_where_other_routes_do(self):
        with Server(store="memory", args=("--api-keys", "k1:viewer")) as server:
            status, _, body = fetch_document(server)
            self.assertEqual(status, 200, body[:500])
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=HEADERS_TIMEOUT_S)
            try:
                conn.request("GET", "/api/v1/jobs")
                resp = conn.getresponse()
                resp.read()
                self.assertEqual(resp.status, 401)
            finally:
                conn.close()
            server.stop()


if __name__ == "__main__":
    unittest.main()
