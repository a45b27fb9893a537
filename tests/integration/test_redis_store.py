"""The redis store through the real jobqd: what it refuses at start, two nodes sharing one Redis, and
Redis killed with SIGKILL and restarted under load."""

import datetime
import os
import subprocess
import tempfile
import threading
import time
import unittest
from pathlib import Path

from jobqd import (JOBQD, LIBFAKETIME, RedisServer, Server, fake_wall_clock, free_port, run_in_thread, unique,
                   wait_until)
from live import WsWatcher


def start_fails(test, *args):
    """jobqd with these flags must exit 2 at start: -> what it printed."""
    p = subprocess.run([JOBQD, "--listen", f"127.0.0.1:{free_port()}", *args], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=30)
    test.assertEqual(p.returncode, 2, p.stdout + p.stderr)
    return p.stdout + p.stderr


class RedisAtStart(unittest.TestCase):
    def test_nobody_listening_is_refused_with_the_address(self):
        port = free_port()
        out = start_fails(self, "--store", f"redis://127.0.0.1:{port}/0")
        self.assertIn(f"cannot connect to redis://127.0.0.1:{port}/0", out)

    def test_an_evicting_policy_is_refused_unless_allowed(self):
        redis = RedisServer(args=["--maxmemory-policy", "allkeys-lru"])
        self.addCleanup(redis.close)
        out = start_fails(self, "--store", redis.url())
        self.assertIn("maxmemory-policy allkeys-lru", out)
        self.assertIn("--redis-allow-eviction", out)
        with Server(store="redis", redis=redis, args=["--redis-allow-eviction"]) as server:
            api = server.api()
            self.addCleanup(api.close)
            self.assertEqual(api.get(api.submit(type="t")["id"])["status"], "queued")

    def test_a_password_works_and_is_never_logged(self):
        redis = RedisServer(args=["--requirepass", "s3cret-pw"])
        self.addCleanup(redis.close)
        out = start_fails(self, "--store", redis.url(password="wrong-pw"))
        self.assertIn("AUTH", out)
        self.assertNotIn("wrong-pw", out)
        with Server(store="redis", redis=redis, redis_url=redis.url(password="s3cret-pw")) as server:
            api = server.api()
            self.addCleanup(api.close)
            api.submit(type="t")
            # The harness's own "=== start:" lines show the command line; jobqd's lines must not.
            logged = "\n".join(line for line in server.log().splitlines() if not line.startswith("==="))
            self.assertNotIn("s3cret-pw", logged)
            self.assertIn(":***@127.0.0.1", logged)


class TwoNodes(unittest.TestCase):
    """Two jobqd on one Redis and one prefix: one store."""

    def setUp(self):
        self.a = Server(store="redis")
        self.addCleanup(self.a.close)
        self.b = Server(store="redis", redis_prefix=self.a.redis_prefix)
        self.addCleanup(self.b.close)

    def test_a_job_submitted_through_one_is_run_through_the_other(self):
        on_a, on_b = self.a.api(), self.b.api()
        self.addCleanup(on_a.close)
        self.addCleanup(on_b.close)
        queue = unique("q")
        job = on_a.submit(type="t", queue=queue, payload={"n": 1})
        leased = on_b.lease_one("w-b", queues=[queue])
        self.assertEqual(leased["id"], job["id"])
        on_b.complete(job["id"], leased["lease_token"], result={"ok": True})
        done = on_a.get(job["id"])
        self.assertEqual(done["status"], "completed")
        self.assertEqual(done["result"], {"ok": True})

    def test_workers_on_both_nodes_run_every_job_exactly_once(self):
        queue, total = unique("q"), 400
        producer = self.a.api()
        self.addCleanup(producer.close)
        ids = []
        for first in range(0, total, 100):
            node = producer if first % 200 == 0 else self.b.api()
            ids += [j["id"] for j in node.submit_batch([{"type": "t", "queue": queue}] * 100)]
            if node is not producer:
                node.close()
        completed, tokens, errors = [], set(), []
        lock = threading.Lock()

        def work(server, name):
            api = server.api()
            try:
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    jobs = api.call("POST", "/lease", {"worker_id": name, "queues": [queue], "max_jobs": 10})["jobs"]
                    if not jobs:
                        return
                    for job in jobs:
                        api.complete(job["id"], job["lease_token"])
                        with lock:
                            completed.append(job["id"])
                            tokens.add(job["lease_token"])
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(f"{name}: {e!r}")
            finally:
                api.close()

        workers = [threading.Thread(target=work, args=(server, f"w{i}"))
                   for i, server in enumerate([self.a, self.b, self.a, self.b])]
        for w in workers:
            w.start()
        for w in workers:
            w.join(timeout=90)
        self.assertEqual(errors, [])
        self.assertEqual(sorted(completed), sorted(ids), "every job completed exactly once")
        self.assertEqual(len(tokens), total)
        print(f"two nodes: {total} jobs, {len(completed)} completions, {len(set(completed))} distinct")


    def test_a_schedule_fires_each_due_time_once_across_both_nodes(self):
        on_a, on_b = self.a.api(), self.b.api()
        self.addCleanup(on_a.close)
        self.addCleanup(on_b.close)
        queue, name = unique("q"), unique("every-second")
        status, body, _ = on_a.request("POST", "/schedules", {"name": name, "cron": "* * * * * *",
                                                              "job": {"type": "tick", "queue": queue}})
        self.assertEqual(status, 201, body)
        # Each run completed at once, so that a second firing of a due time would be a second job
        # rather than an idempotent repeat of the live one.
        done = []
        deadline = time.monotonic() + 30
        while len(done) < 4 and time.monotonic() < deadline:
            for node in (on_a, on_b):
                for job in node.call("POST", "/lease", {"worker_id": "w", "queues": [queue], "max_jobs": 10,
                                                        "wait_ms": 500}, timeout=15)["jobs"]:
                    node.complete(job["id"], job["lease_token"])
                    done.append(job)
        on_b.call("POST", f"/schedules/{name}/pause")
        runs = on_a.list_all(tag=f"schedule:{name}")
        keys = [j["idempotency_key"] for j in runs]
        self.assertGreaterEqual(len(done), 4)
        self.assertEqual(len(keys), len(set(keys)), f"a due time fired twice: {sorted(keys)}")
        self.assertIn(on_b.call("GET", f"/schedules/{name}")["last_job_id"], [j["id"] for j in runs])


class AcrossNodes(unittest.TestCase):
    """What one node does, the other's watchers and waiting workers see at once (Redis pub/sub)."""

    def setUp(self):
        self.a = Server(store="redis")
        self.addCleanup(self.a.close)
        self.b = Server(store="redis", redis_prefix=self.a.redis_prefix)
        self.addCleanup(self.b.close)
        self.on_a, self.on_b = self.a.api(), self.b.api()
        self.addCleanup(self.on_a.close)
        self.addCleanup(self.on_b.close)

    def test_a_watcher_on_one_node_sees_progress_reported_to_the_other(self):
        queue = unique("q")
        job = self.on_a.submit(type="t", queue=queue)
        watcher = WsWatcher(self.a, f"/api/v1/jobs/{job['id']}/ws")
        self.addCleanup(watcher.close)
        self.assertEqual(watcher.next()["event"], "snapshot")
        everything = WsWatcher(self.a, "/api/v1/events/ws")
        self.addCleanup(everything.close)
        leased = self.on_b.lease_one("w-b", queues=[queue])
        self.on_b.progress(job["id"], leased["lease_token"], progress=40, stage="halfway")
        seen = watcher.until(lambda m: m["event"] == "progress")
        self.assertEqual(seen[-1]["job"]["progress"], 40)
        self.assertEqual(seen[-1]["job"]["stage"], "halfway")
        self.on_b.complete(job["id"], leased["lease_token"], result={"n": 1})
        done = watcher.until(lambda m: m["event"] == "completed")
        self.assertEqual(done[-1]["job"]["result"], {"n": 1})
        everything.until(lambda m: m["event"] == "completed" and m["job"]["id"] == job["id"])
        # Counters are per node: the completion is counted by the node it went through alone.
        label = f'jobq_jobs_completed_total{{queue="{queue}",type="t"}} 1'
        self.on_b.request("GET", "/metrics", absolute=True)
        self.assertIn(label, self.on_b.last_text)
        self.on_a.request("GET", "/metrics", absolute=True)
        self.assertNotIn(label, self.on_a.last_text)

    def test_workers_beating_to_one_node_are_listed_and_ordered_through_the_other(self):
        worker = unique("w")
        beat = {"types": ["t"], "queues": ["default"], "concurrency": 2, "running": 0, "host": "h", "pid": 7}
        self.assertEqual(self.on_b.call("POST", f"/workers/{worker}/beat", beat)["command"], "run")
        listed = {w["id"]: w for w in self.on_a.call("GET", "/workers")["workers"]}
        self.assertIn(worker, listed)
        self.assertEqual(listed[worker]["concurrency"], 2)
        self.assertEqual(listed[worker]["state"], "active")
        self.on_a.call("POST", f"/workers/{worker}/scale", {"concurrency": 5})
        self.assertEqual(self.on_b.call("POST", f"/workers/{worker}/beat", beat),
                         {"command": "run", "concurrency": 5})
        self.on_a.call("POST", f"/workers/{worker}/quiet")
        self.assertEqual(self.on_b.call("POST", f"/workers/{worker}/beat", beat)["command"], "quiet")

    def test_a_cancel_through_one_node_reaches_the_worker_beating_to_the_other(self):
        queue = unique("q")
        job = self.on_a.submit(type="t", queue=queue)
        leased = self.on_b.lease_one("w-b", queues=[queue])
        self.assertFalse(self.on_b.heartbeat(job["id"], leased["lease_token"])["cancel_requested"])
        self.on_a.cancel(job["id"])
        self.assertTrue(self.on_b.heartbeat(job["id"], leased["lease_token"])["cancel_requested"])

    def test_a_lease_waiting_on_one_node_gets_a_job_submitted_through_the_other_at_once(self):
        queue = unique("q")
        worker = self.a.api()
        self.addCleanup(worker.close)

        def waiting_on_a():
            self.on_a.request("GET", "/metrics", absolute=True)
            return "\njobq_leases_waiting 1\n" in self.on_a.last_text

        latencies = []
        for n in range(20):
            waiting = run_in_thread(worker.call, "POST", "/lease",
                                    {"worker_id": "w-a", "queues": [queue], "wait_ms": 10000})
            wait_until(waiting_on_a, timeout=10, message="the lease to wait on node A")
            started = time.monotonic()
            job = self.on_b.submit(type="t", queue=queue)
            got = waiting.result(timeout=15)
            latencies.append(time.monotonic() - started)
            self.assertEqual([j["id"] for j in got["jobs"]], [job["id"]])
        latencies.sort()
        print(f"lease on A, submit via B: median {latencies[10] * 1000:.1f} ms, "
              f"max {latencies[-1] * 1000:.1f} ms over 20")
        # Not woken, it would have answered no job after its 10 s wait.
        self.assertLess(latencies[-1], 2.0)


def seconds(rfc3339):
    return datetime.datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).timestamp()


class SkewedClock(unittest.TestCase):
    def test_a_node_whose_clock_is_five_seconds_ahead_keeps_redis_time(self):
        if not os.path.exists(LIBFAKETIME):
            raise unittest.SkipTest(f"{LIBFAKETIME} is missing (Debian's libfaketime)")
        redis = RedisServer.shared()  # started now, outside the faked environment
        offset = Path(tempfile.mkdtemp(prefix="jobq-skew-")) / "offset"
        offset.write_text("+5\n")
        with fake_wall_clock(offset):
            ahead = Server(store="redis", redis=redis)  # started first: it runs the sweeps
        self.addCleanup(ahead.close)
        wait_until(lambda: redis.command("EXISTS", ahead.redis_prefix + "sweeper") == ":1",
                   timeout=10, message="the skewed node to take the sweeps' lock")
        right = Server(store="redis", redis_prefix=ahead.redis_prefix)
        self.addCleanup(right.close)
        on_ahead, on_right = ahead.api(), right.api()
        self.addCleanup(on_ahead.close)
        self.addCleanup(on_right.close)
        queue = unique("q")

        job = on_ahead.submit(type="t", queue=queue)
        now = time.time()
        self.assertLess(abs(seconds(job["created_at"]) - now), 1.5, job["created_at"])
        leased = on_right.lease_one("w", queues=[queue], lease_ms=8000)
        # The skewed node sweeps: judged by its own clock, the lease would be over 5 s early.
        deadline = time.monotonic() + 4.5
        while time.monotonic() < deadline:
            self.assertEqual(on_ahead.status_of(job["id"]), "running", "the lease was taken early")
            time.sleep(0.25)
        beat = on_ahead.heartbeat(job["id"], leased["lease_token"])
        self.assertLess(abs(seconds(beat["lease_expires_at"]) - (time.time() + 8)), 1.5, beat)


class SweepsTakenOver(unittest.TestCase):
    def test_when_the_sweeping_node_is_killed_another_takes_over_within_the_locks_time(self):
        redis = RedisServer.shared()
        a = Server(store="redis")
        self.addCleanup(a.close)
        # A alone: its first sweep takes the lock.
        wait_until(lambda: redis.command("EXISTS", a.redis_prefix + "sweeper") == ":1", timeout=10,
                   message="node A to take the sweeps' lock")
        b = Server(store="redis", redis_prefix=a.redis_prefix)
        self.addCleanup(b.close)
        on_b = b.api()
        self.addCleanup(on_b.close)
        queue = unique("q")
        a.kill()
        killed = time.monotonic()
        job = on_b.submit(type="t", queue=queue, delay_ms=100)
        wait_until(lambda: on_b.status_of(job["id"]) == "queued", timeout=15,
                   message="node B to promote the delayed job")
        took = time.monotonic() - killed
        print(f"sweeps taken over {took:.2f} s after the sweeping node was killed (lock: 3 s)")
        self.assertGreater(took, 2.0, "node B swept while node A still held the lock")
        self.assertLess(took, 6.0)


class RedisKilled(unittest.TestCase):
    def test_no_answered_submit_is_lost_and_jobqd_recovers_by_itself(self):
        redis = RedisServer()
        self.addCleanup(redis.close)
        server = Server(store="redis", redis=redis)
        self.addCleanup(server.close)
        queue = unique("q")
        answered, refused, stop = [], [], threading.Event()

        def submit():
            api = server.api(timeout=10)
            try:
                for n in range(20000):
                    if stop.is_set():
                        return
                    status, body, _ = api.request("POST", "/jobs", {"type": "t", "queue": queue, "payload": n})
                    if status == 201:
                        answered.append(body["id"])
                    else:
                        refused.append((status, (body or {}).get("error", {}).get("code")))
            finally:
                api.close()

        producer = threading.Thread(target=submit)
        producer.start()
        try:
            wait_until(lambda: len(answered) >= 200, timeout=30, message="submits before the kill")
            redis.kill()
            wait_until(lambda: len(refused) >= 5, timeout=30, message="submits refused while Redis is down")
            probe = server.api()
            self.addCleanup(probe.close)
            status, _, _ = probe.request("GET", "/ready", absolute=True)
            self.assertEqual(status, 503)
            before_restart = len(answered)
            redis.start()
            wait_until(lambda: len(answered) >= before_restart + 200, timeout=30, message="submits after the restart")
        finally:
            stop.set()
            producer.join(timeout=60)
        self.assertTrue(all(r == (503, "unavailable") for r in refused), refused[:5])
        status, _, _ = probe.request("GET", "/ready", absolute=True)
        self.assertEqual(status, 200)
        missing = [i for i in answered if probe.request("GET", f"/jobs/{i}")[0] != 200]
        print(f"redis killed: {len(answered)} submits answered, {len(refused)} refused with 503, "
              f"{len(missing)} answered but missing")
        self.assertEqual(missing, [])


if __name__ == "__main__":
    unittest.main()
