"""API keys and roles (docs/api.md "API keys and roles"), the loopback-only rule without keys, and
where the settings come from (flag, then JOBQ_* variable, then the --config TOML file)."""

import http.client
import os
import shutil
import signal
import subprocess
import tempfile
import unittest
from pathlib import Path

from jobqd import (JOBQD, START_TIMEOUT_S, STOP_TIMEOUT_S, Server, assert_error, config_file, free_port, unique,
                   wait_until)

KEYS = {"admin": "a", "producer": "p", "worker": "w", "viewer": "v"}
API_KEYS = ",".join(f"{key}:{role}" for role, key in KEYS.items())
ROLES = ("admin", "producer", "worker", "viewer")
CALLERS = ("none", "wrong", "viewer", "worker", "producer", "admin")  # admin last: it changes things
CALLER_KEY = {**KEYS, "none": None, "wrong": "not-a-key"}

# Who may use each group of routes (docs/api.md): every GET is read; open routes need no key.
MAY = {
    "read": {"admin", "producer", "worker", "viewer"},
    "produce": {"admin", "producer"},
    "work": {"admin", "worker"},
    "operate": {"admin"},
    "open": {"admin", "producer", "worker", "viewer", "none", "wrong"},
}


def expected_status(group, caller, ok):
    if caller in MAY[group]:
        return ok
    return 401 if caller in ("none", "wrong") else 403


class RoleMatrix(unittest.TestCase):
    """One representative route of each group, called by each role, with no key and a wrong key."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server(store="sqlite", args=["--api-keys", API_KEYS], api_key=KEYS["admin"])
        cls.addClassCleanup(cls.server.close)
        cls.admin = cls.server.api()
        cls.addClassCleanup(cls.admin.close)
        cls.clients = {c: cls.server.api(api_key=CALLER_KEY[c] or "") for c in CALLERS}
        for api in cls.clients.values():
            cls.addClassCleanup(api.close)

    @classmethod
    def tearDownClass(cls):
        for api in cls.clients.values():
            api.close()
        cls.admin.close()
        cls.server.stop()

    def setUp(self):
        self.queue = unique("q")

    # What a refusal must leave as it was.

    def state(self):
        stats = self.admin.stats()
        queues = self.admin.call("GET", "/queues")["queues"]
        return {
            "by_status": stats["by_status"],
            "queues": {q["name"]: (q["counts"], q["paused"]) for q in queues},
            "dead_letters": len(self.admin.dead_letters(limit=1000)["jobs"]),
        }

    def ensure_queued_job(self):
        if self.admin.stats()["queues"].get(self.queue, {}).get("queued", 0) == 0:
            self.admin.submit(type="t", queue=self.queue)

    def ensure_dead_letter(self):
        if not self.admin.dead_letters(limit=1)["jobs"]:
            q = unique("dead")
            job = self.admin.submit(type="t", queue=q, max_attempts=1)
            leased = self.admin.lease_one("setup", queues=[q])
            self.admin.fail(job["id"], leased["lease_token"], error="setup", retryable=False)

    def routes(self):
        """(group, method, path, body, success status, prepare) for one representative route of each."""
        q = self.queue
        return [
            ("read", "GET", "/api/v1/jobs", None, 200, None),
            ("produce", "POST", "/api/v1/jobs", {"type": "t", "queue": q}, 201, None),
            ("work", "POST", "/api/v1/lease", {"worker_id": "w1", "queues": [q], "wait_ms": 0}, 200,
             self.ensure_queued_job),
            ("operate", "POST", f"/api/v1/queues/{q}/pause", None, 200, self.ensure_queued_job),
            ("operate", "DELETE", "/api/v1/dead-letters", None, 200, self.ensure_dead_letter),
            ("open", "GET", "/health", None, 200, None),
            ("open", "GET", "/ready", None, 200, None),
            ("open", "GET", "/metrics", None, 200, None),
            ("open", "GET", "/api/v1/openapi.json", None, 200, None),
        ]

    def test_matrix(self):
        for caller in CALLERS:
            api = self.clients[caller]
            for group, method, path, body, ok, prepare in self.routes():
                with self.subTest(caller=caller, route=f"{method} {path}"):
                    if prepare:
                        prepare()
                    before = self.state()
                    answer = api.request(method, path, body, absolute=True)
                    want = expected_status(group, caller, ok)
                    if want == ok:
                        self.assertEqual(answer[0], ok, f"{caller} {method} {path}: {api.last_text}")
                    else:
                        code = "unauthorized" if want == 401 else "forbidden"
                        assert_error(self, answer, want, code)
                        self.assertEqual(self.state(), before, "a refused call must change nothing")
                    if group == "operate" and path.endswith("/pause") and answer[0] == 200:
                        self.admin.call("POST", f"/queues/{self.queue}/resume")

    def test_allowed_calls_do_what_they_say(self):
        """The matrix's successes are real: the producer's job exists, the worker's lease holds it,
        the admin's pause and purge took effect."""
        p, w = self.clients["producer"], self.clients["worker"]
        job = p.submit(type="t", queue=self.queue)
        self.assertEqual(self.admin.get(job["id"])["status"], "queued")
        leased = w.lease_one("w1", queues=[self.queue])
        self.assertEqual(leased["id"], job["id"])
        w.complete(job["id"], leased["lease_token"])
        self.assertEqual(self.admin.status_of(job["id"]), "completed")
        self.admin.call("POST", f"/queues/{self.queue}/pause")
        queues = {q["name"]: q for q in self.admin.call("GET", "/queues")["queues"]}
        self.assertTrue(queues[self.queue]["paused"])
        self.admin.call("POST", f"/queues/{self.queue}/resume")
        self.ensure_dead_letter()
        purged = self.admin.call("DELETE", "/dead-letters")["purged"]
        self.assertGreaterEqual(purged, 1)
        self.assertEqual(self.admin.dead_letters()["jobs"], [])

    def test_producer_changes_jobs_and_worker_reports_on_them(self):
        """Beyond the representative routes: the producer cancels, retries, patches and deletes; the
        worker heartbeats and fails; each is refused the other's calls."""
        p, w, v = self.clients["producer"], self.clients["worker"], self.clients["viewer"]
        job = p.submit(type="t", queue=self.queue)
        assert_error(self, w.request("POST", f"/jobs/{job['id']}/cancel"), 403, "forbidden")
        assert_error(self, v.request("PATCH", f"/jobs/{job['id']}", {"priority": 90}), 403, "forbidden")
        self.assertEqual(p.patch(job["id"], priority=90)["priority"], 90)
        leased = w.lease_one("w1", queues=[self.queue])
        assert_error(self, p.request("POST", f"/jobs/{job['id']}/heartbeat",
                                     {"lease_token": leased["lease_token"]}), 403, "forbidden")
        w.heartbeat(job["id"], leased["lease_token"], progress=5)
        w.fail(job["id"], leased["lease_token"], error="x", retryable=False)
        self.assertEqual(p.retry(job["id"])["status"], "queued")
        self.assertEqual(p.cancel(job["id"])["status"], "cancelled")
        status, _, _ = p.request("DELETE", f"/jobs/{job['id']}")
        self.assertEqual(status, 204)
        for role in ("producer", "worker", "viewer"):
            api = self.clients[role]
            assert_error(self, api.request("POST", "/maintenance/purge", {}), 403, "forbidden")
            assert_error(self, api.request("POST", "/dead-letters/retry", {}), 403, "forbidden")

    def test_viewer_reads_everything(self):
        v = self.clients["viewer"]
        for path in ("/jobs", "/stats", "/queues", "/workers", "/dead-letters"):
            status, body, _ = v.request("GET", path)
            self.assertEqual(status, 200, f"GET {path}: {body}")

    def test_malformed_authorization_is_401(self):
        for header in ("Basic YTph", "Bearer", "Bearer ", "a", "Bearer  a", "Token a"):
            with self.subTest(header=header):
                conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
                try:
                    conn.request("GET", "/api/v1/jobs", headers={"Authorization": header})
                    resp = conn.getresponse()
                    body = resp.read()
                finally:
                    conn.close()
                self.assertEqual(resp.status, 401, body)
                self.assertIn(b'"unauthorized"', body)


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOBQ_")}
    env.update(extra)
    return env


class Process:
    """A jobqd started with exactly the given arguments and environment (the harness's Server always
    passes --listen and --store)."""

    def __init__(self, test, args, env=None):
        self.dir = Path(tempfile.mkdtemp(prefix="jobqd-auth-"))
        test.addCleanup(self.close)
        self.log_path = self.dir / "jobqd.log"
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen([JOBQD, *args], stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, cwd=self.dir, env=env or clean_env(),
                                         start_new_session=True)

    def log(self):
        return self.log_path.read_text(errors="replace")

    def wait_healthy(self, port):
        def healthy():
            if self.proc.poll() is not None:
                raise AssertionError(f"jobqd exited with {self.proc.returncode}:\n{self.log()}")
            return health(port) == 200
        wait_until(healthy, timeout=START_TIMEOUT_S, message=f"GET /health on port {port}")
        return self

    def wait_exit(self, timeout=STOP_TIMEOUT_S):
        return self.proc.wait(timeout=timeout)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        return self.wait_exit()

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=STOP_TIMEOUT_S)
        if os.environ.get("JOBQD_KEEP") != "1":
            shutil.rmtree(self.dir, ignore_errors=True)


def health(port, host="127.0.0.1"):
    """GET /health -> status, or None if nothing answers on the port."""
    conn = http.client.HTTPConnection(host, port, timeout=2)
    try:
        conn.request("GET", "/health")
        resp = conn.getresponse()
        resp.read()
        return resp.status
    except OSError:
        return None
    finally:
        conn.close()


class LoopbackOnlyWithoutKeys(unittest.TestCase):
    def test_refuses_a_non_loopback_address_without_keys(self):
        port = free_port()
        p = Process(self, ["--listen", f"0.0.0.0:{port}", "--store", "memory:"])
        try:
            code = p.wait_exit(timeout=START_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.fail(f"jobqd started on 0.0.0.0 without API keys:\n{p.log()}")
        self.assertNotEqual(code, 0)
        self.assertIn("API keys", p.log())
        self.assertIsNone(health(port), "nothing may listen")

    def test_a_blank_key_list_is_an_error_not_no_keys(self):
        for blank in (",", " ", " , "):
            for how in ("flag", "env"):
                with self.subTest(keys=blank, how=how):
                    port = free_port()
                    args = ["--listen", f"0.0.0.0:{port}", "--store", "memory:"]
                    env = clean_env()
                    if how == "flag":
                        args += ["--api-keys", blank]
                    else:
                        env["JOBQ_API_KEYS"] = blank
                    p = Process(self, args, env)
                    try:
                        code = p.wait_exit(timeout=START_TIMEOUT_S)
                    except subprocess.TimeoutExpired:
                        self.fail(f"jobqd started with api keys {blank!r}:\n{p.log()}")
                    self.assertEqual(code, 2, p.log())
                    self.assertIn("empty", p.log())
                    self.assertIsNone(health(port), "nothing may listen")

    def test_insecure_starts_on_a_non_loopback_address(self):
        port = free_port()
        p = Process(self, ["--listen", f"0.0.0.0:{port}", "--store", "memory:", "--insecure"])
        p.wait_healthy(port)
        self.assertEqual(p.stop(), 0, p.log())

    def test_keys_allow_a_non_loopback_address(self):
        port = free_port()
        p = Process(self, ["--listen", f"0.0.0.0:{port}", "--store", "memory:", "--api-keys", "k:admin"])
        p.wait_healthy(port)
        self.assertEqual(p.stop(), 0, p.log())


class SettingsPrecedence(unittest.TestCase):
    """Flags beat JOBQ_* variables, which beat the --config TOML file (docs/api.md "Settings")."""

    def check_listens_on(self, p, port, not_on=()):
        p.wait_healthy(port)
        for other in not_on:
            self.assertIsNone(health(other), f"jobqd must not listen on {other}")
        self.assertEqual(p.stop(), 0, p.log())

    def test_the_variable_is_used_without_a_flag(self):
        port = free_port()
        p = Process(self, ["--store", "memory:"], env=clean_env(JOBQ_LISTEN=f"127.0.0.1:{port}"))
        self.check_listens_on(p, port)

    def test_the_flag_beats_the_variable(self):
        env_port, flag_port = free_port(), free_port()
        p = Process(self, ["--store", "memory:", "--listen", f"127.0.0.1:{flag_port}"],
                    env=clean_env(JOBQ_LISTEN=f"127.0.0.1:{env_port}"))
        self.check_listens_on(p, flag_port, not_on=[env_port])

    def test_the_config_file_is_used_without_flag_or_variable(self):
        port = free_port()
        path = config_file(self, f'listen = "127.0.0.1:{port}"\nstore = "memory:"\n')
        p = Process(self, ["--config", path])
        self.check_listens_on(p, port)

    def test_the_variable_beats_the_config_file(self):
        file_port, env_port = free_port(), free_port()
        path = config_file(self, f'listen = "127.0.0.1:{file_port}"\nstore = "memory:"\n')
        p = Process(self, ["--config", path], env=clean_env(JOBQ_LISTEN=f"127.0.0.1:{env_port}"))
        self.check_listens_on(p, env_port, not_on=[file_port])

    def test_the_flag_beats_the_config_file(self):
        file_port, flag_port = free_port(), free_port()
        path = config_file(self, f'listen = "127.0.0.1:{file_port}"\nstore = "memory:"\n')
        p = Process(self, ["--config", path, "--listen", f"127.0.0.1:{flag_port}"])
        self.check_listens_on(p, flag_port, not_on=[file_port])

    def test_api_keys_from_a_config_table(self):
        port = free_port()
        path = config_file(self, f'listen = "127.0.0.1:{port}"\nstore = "memory:"\n[api_keys]\nsecret = "viewer"\n')
        p = Process(self, ["--config", path]).wait_healthy(port)
        for key, status in ((None, 401), ("secret", 200)):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                conn.request("GET", "/api/v1/jobs", headers={"Authorization": f"Bearer {key}"} if key else {})
                resp = conn.getresponse()
                resp.read()
            finally:
                conn.close()
            self.assertEqual(resp.status, status, key)
        self.assertEqual(p.stop(), 0, p.log())


if __name__ == "__main__":
    unittest.main()
