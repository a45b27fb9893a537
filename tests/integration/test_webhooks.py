"""Webhooks against a real jobqd and a real receiver on 127.0.0.1 (let through by webhook_allow):
the receiver gets each job's end signed (checked with the Python snippet of docs/engine.md), a
failing receiver sees the retries of one delivery, one out of attempts is dead-lettered and can be
sent again, [[webhooks]] of the config match their queue, type and events, a restart between the
end and the send loses nothing, and what the address policy refuses is never called."""

import contextlib
import hashlib
import hmac
import http.server
import json
import os
import shutil
import ssl
import subprocess
import tempfile
import threading
import time
import unittest

from jobqd import Server, assert_error, assert_refuses_to_start, config_file, free_port, unique, wait_until

SECRET = "it-secret"


# docs/engine.md's verification snippet, as a receiver would use it.
def verify(secret: bytes, header: str, body: bytes, tolerance_s: int = 300) -> bool:
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    t, v1 = parts.get("t", ""), parts.get("v1", "")
    if not t.lstrip("-").isdigit() or abs(time.time() - int(t)) > tolerance_s:
        return False
    mac = hmac.new(secret, t.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(mac, v1)


class Receiver:
    """An HTTP server on 127.0.0.1 that records each POST and answers the next of `statuses`
    (then 200s)."""

    def __init__(self, statuses=(), port=0, tls=None):
        self.requests = []
        self.statuses = list(statuses)
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with outer.lock:
                    outer.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                    status = outer.statuses.pop(0) if outer.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.scheme = "http" if tls is None else "https"
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path="/hook"):
        return f"{self.scheme}://127.0.0.1:{self.port}{path}"

    def received(self):
        with self.lock:
            return list(self.requests)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def settings(extra=""):
    return (f'webhook_secret = "{SECRET}"\nwebhook_allow = "127.0.0.1/32"\n'
            "webhook_backoff_initial_ms = 100\nwebhook_backoff_max_ms = 200\n"
            "webhook_max_attempts = 3\n" + extra)


class Webhooks(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hooked = Receiver()
        cls.addClassCleanup(cls.hooked.close)
        cls.config = config_file(cls, settings(
            f'[[webhooks]]\nurl = "{cls.hooked.url("/videos")}"\nqueue = "videos"\n'
            f'[[webhooks]]\nurl = "{cls.hooked.url("/failures")}"\nevents = ["job.failed"]\n'))
        cls.server = Server(args=["--config", cls.config])
        cls.api = cls.server.api()

    @classmethod
    def tearDownClass(cls):
        cls.api.close()
        cls.server.close()

    def receiver(self, statuses=()):
        r = Receiver(statuses)
        self.addCleanup(r.close)
        return r

    def run_job(self, queue=None, fail=False, **fields):
        queue = queue or unique("q")
        job = self.api.submit(type="t", queue=queue, **fields)
        leased = self.api.lease_one(queues=[queue])
        if fail:
            self.api.fail(leased["id"], leased["lease_token"], error="fatal", retryable=False)
        else:
            self.api.complete(leased["id"], leased["lease_token"], result={"n": 1})
        return job

    def deliveries(self, **params):
        return self.api.call("GET", "/webhooks/deliveries", params=params)["deliveries"]

    def test_the_receiver_gets_the_end_signed(self):
        r = self.receiver()
        job = self.run_job(callback_url=r.url("/done?k=v"))
        wait_until(lambda: r.received(), timeout=10, message="no webhook arrived")
        path, headers, body = r.received()[0]
        self.assertEqual(path, "/done?k=v")
        self.assertEqual(headers["content-type"], "application/json")
        self.assertEqual(headers["x-jobq-event"], "job.completed")
        self.assertTrue(verify(SECRET.encode(), headers["x-jobq-signature"], body), headers)
        self.assertFalse(verify(b"wrong", headers["x-jobq-signature"], body))
        sent = json.loads(body)
        self.assertEqual(sent["event"], "job.completed")
        self.assertEqual(sent["id"], headers["x-jobq-delivery"])
        self.assertEqual(sent["job"]["id"], job["id"])
        self.assertEqual(sent["job"]["result"], {"n": 1})
        self.assertNotIn("lease_token", sent["job"])
        wait_until(lambda: not self.deliveries(job_id=job["id"]), timeout=10,
                   message="a delivered delivery stays in the outbox")
        self.assertEqual(len(r.received()), 1, "delivered once")

    def test_a_failing_receiver_sees_the_retries_of_one_delivery(self):
        r = self.receiver(statuses=[500, 503])
        job = self.run_job(callback_url=r.url())
        wait_until(lambda: len(r.received()) >= 3, timeout=15, message="three attempts did not arrive")
        ids = {h["x-jobq-delivery"] for _, h, _ in r.received()}
        self.assertEqual(len(ids), 1, "every attempt is the same delivery")
        wait_until(lambda: not self.deliveries(job_id=job["id"]), timeout=10)
        self.assertEqual(len(r.received()), 3)

    def test_out_of_attempts_is_dead_lettered_and_sent_again_by_hand(self):
        r = self.receiver(statuses=[500, 500, 500])
        job = self.run_job(callback_url=r.url())
        wait_until(lambda: self.deliveries(job_id=job["id"], status="dead"), timeout=15,
                   message="the delivery was not dead-lettered")
        dead = self.deliveries(job_id=job["id"], status="dead")[0]
        self.assertEqual(dead["attempts"], 3)
        self.assertEqual(dead["last_status"], 500)
        self.assertIsNone(dead["next_at"])
        one = self.api.call("GET", f"/webhooks/deliveries/{dead['id']}")
        self.assertEqual(one["body"]["job"]["id"], job["id"])
        self.assertEqual(len(r.received()), 3)

        again = self.api.call("POST", f"/webhooks/deliveries/{dead['id']}/retry")
        self.assertEqual((again["status"], again["attempts"]), ("pending", 0))
        wait_until(lambda: len(r.received()) == 4, timeout=10, message="the retried delivery was not sent")
        wait_until(lambda: not self.deliveries(job_id=job["id"]), timeout=10)
        assert_error(self, self.api.request("POST", f"/webhooks/deliveries/{dead['id']}/retry"),
                     404, "not_found")

    def test_hooks_of_the_config_match_queue_and_events(self):
        before = len(self.hooked.received())
        self.run_job(queue="videos")                # the videos hook
        self.run_job(fail=True)                     # the failures hook
        self.run_job()                              # no hook
        wait_until(lambda: len(self.hooked.received()) >= before + 2, timeout=10)
        got = sorted((p, h["x-jobq-event"]) for p, h, _ in self.hooked.received()[before:])
        self.assertEqual(got, [("/failures", "job.failed"), ("/videos", "job.completed")])
        seen = self.api.call("GET", "/webhooks")
        self.assertTrue(seen["enabled"])
        self.assertEqual([h["url"] for h in seen["hooks"]],
                         [self.hooked.url("/videos"), self.hooked.url("/failures")])
        self.assertNotIn(SECRET, json.dumps(seen))

    def test_bad_callback_urls_and_queries_are_refused(self):
        for bad in ["ftp://x/", "http://user:pw@example.com/", "http://x/#f", "nope"]:
            assert_error(self, self.api.request("POST", "/jobs", {"type": "t", "callback_url": bad}),
                         400, "invalid_argument", "callback_url")
        assert_error(self, self.api.request("GET", "/webhooks/deliveries", params={"status": "done"}),
                     400, "invalid_argument", "status")
        assert_error(self, self.api.request("GET", "/webhooks/deliveries", params={"sort": "x"}),
                     400, "invalid_argument", "sort")
        assert_error(self, self.api.request("GET", "/webhooks/deliveries/nope"), 404, "not_found")


class Refusals(unittest.TestCase):
    def test_without_a_secret_a_callback_url_is_a_400(self):
        with Server(store="memory") as server, contextlib.closing(server.api()) as api:
            err = assert_error(self, api.request("POST", "/jobs", {"type": "t", "callback_url": "http://example.com/"}),
                               400, "invalid_argument", "callback_url")
            self.assertIn("webhook_secret", err["message"])
            self.assertFalse(api.call("GET", "/webhooks")["enabled"])

    def test_hooks_without_a_secret_stop_the_start(self):
        path = config_file(self, '[[webhooks]]\nurl = "http://example.com/"\n')
        assert_refuses_to_start(self, ["--config", path], "webhook_secret")

    def test_a_bad_hook_or_allow_list_stops_the_start(self):
        path = config_file(self, settings('[[webhooks]]\nurl = "http://example.com/"\nevents = ["job.done"]\n'))
        assert_refuses_to_start(self, ["--config", path], "webhooks[0].events")
        assert_refuses_to_start(self, ["--webhook-allow", "10.0.0.0/99"], "webhook-allow")

    def test_private_loopback_and_metadata_addresses_are_never_called(self):
        r = Receiver()
        self.addCleanup(r.close)
        with Server(store="memory", args=["--webhook-secret", SECRET]) as server, \
                contextlib.closing(server.api()) as api:
            urls = {r.url(): "loopback", "http://169.254.169.254/latest/meta-data/": "metadata",
                    "http://10.1.2.3/": "private", "http://[::1]:9/": "loopback"}
            for url in urls:
                job = api.submit(type="t", callback_url=url)
                api.cancel(job["id"])
            wait_until(lambda: len(api.call("GET", "/webhooks/deliveries", params={"status": "dead"})["deliveries"]) == 4,
                       timeout=10, message="refused deliveries were not dead-lettered")
            dead = api.call("GET", "/webhooks/deliveries", params={"status": "dead"})["deliveries"]
            for d in dead:
                self.assertEqual(d["attempts"], 1, d)
                self.assertIn(urls[d["url"]], d["last_error"], d)
            self.assertEqual(r.received(), [], "a refused address is never called")
            api.request("GET", "/metrics", absolute=True)
            self.assertIn('jobq_webhook_deliveries{status="dead"} 4\n', api.last_text)
            self.assertIn('jobq_webhook_deliveries{status="pending"} 0\n', api.last_text)


class Https(unittest.TestCase):
    """An https:// receiver with a certificate of its own for 127.0.0.1: trusted through
    webhook_ca_file, it is delivered to; with the system's roots alone, the handshake fails and
    nothing is sent in the clear."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="jobq-tls-")
        cls.addClassCleanup(shutil.rmtree, cls.dir, True)
        cls.cert, key = os.path.join(cls.dir, "cert.pem"), os.path.join(cls.dir, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-keyout", key, "-out", cls.cert, "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
        cls.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        cls.tls.load_cert_chain(cls.cert, key)

    def receiver(self):
        r = Receiver(tls=self.tls)
        self.addCleanup(r.close)
        return r

    def test_a_trusted_https_receiver_gets_the_webhook(self):
        r = self.receiver()
        path = config_file(self, settings(f'webhook_ca_file = "{self.cert}"\n'))
        with Server(store="memory", args=["--config", path]) as server, \
                contextlib.closing(server.api()) as api:
            job = api.submit(type="t", callback_url=r.url("/secure"))
            api.cancel(job["id"])
            wait_until(lambda: r.received(), timeout=10, message="no webhook over https")
            path_got, headers, body = r.received()[0]
            self.assertEqual(path_got, "/secure")
            self.assertEqual(headers["x-jobq-event"], "job.cancelled")
            self.assertTrue(verify(SECRET.encode(), headers["x-jobq-signature"], body))

    def test_an_untrusted_certificate_is_not_sent_to(self):
        r = self.receiver()
        with Server(store="memory", args=["--config", config_file(self, settings())]) as server, \
                contextlib.closing(server.api()) as api:
            job = api.submit(type="t", callback_url=r.url())
            api.cancel(job["id"])

            def failed():
                d = api.call("GET", "/webhooks/deliveries", params={"job_id": job["id"]})["deliveries"]
                return d and d[0]["last_error"]
            wait_until(failed, timeout=10, message="the https delivery was not tried")
            d = api.call("GET", "/webhooks/deliveries", params={"job_id": job["id"]})["deliveries"][0]
            self.assertIn("TLS handshake failed", d["last_error"])
            self.assertEqual(d["status"], "pending", "a certificate may be fixed: retried")
            self.assertEqual(r.received(), [])


class Restart(unittest.TestCase):
    def test_a_delivery_pending_at_a_kill_is_sent_after_the_restart(self):
        port = free_port()  # nobody listens there yet: every attempt fails to connect
        path = config_file(self, settings().replace("webhook_max_attempts = 3", "webhook_max_attempts = 100")
                           .replace("webhook_backoff_max_ms = 200", "webhook_backoff_max_ms = 300"))
        server = Server(args=["--config", path])
        self.addCleanup(server.close)
        api = server.api()
        job = api.submit(type="t", callback_url=f"http://127.0.0.1:{port}/hook")
        api.cancel(job["id"])
        wait_until(lambda: api.call("GET", "/webhooks/deliveries", params={"job_id": job["id"]})["deliveries"][0]["attempts"] >= 2,
                   timeout=10, message="the delivery was not tried")
        api.close()
        server.restart(kill=True)
        r = Receiver(port=port)
        self.addCleanup(r.close)
        with contextlib.closing(server.api()) as api:
            # Its hold (at least 60 s) keeps a delivery claimed when the kill came mid-send; the
            # backoff alone otherwise.
            wait_until(lambda: r.received(), timeout=90, message="the pending delivery was lost in the restart")
            self.assertEqual(json.loads(r.received()[0][2])["job"]["id"], job["id"])
            wait_until(lambda: not api.call("GET", "/webhooks/deliveries", params={"job_id": job["id"]})["deliveries"],
                       timeout=10)


if __name__ == "__main__":
    unittest.main()
