"""Limits per queue and per type (a running cap, a start rate), set through the API and the TOML
file, against a real jobqd: leases pass over what they hold back, many leasers at once never go
over a cap, and the limits survive a restart."""

import threading
import time
import unittest

from jobqd import Server, assert_error, assert_refuses_to_start, config_file, long_poll_lease, unique


class Limits(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        cls.api = cls.server.api()

    @classmethod
    def tearDownClass(cls):
        cls.api.close()
        cls.server.close()

    def put(self, path, body, expect=(200,)):
        return self.api.call("PUT", path, body, expect=expect)

    def test_a_capped_queue_is_passed_over_and_shows_its_limits(self):
        capped, other = unique("capped"), unique("other")
        for _ in range(3):
            self.api.submit(type="call", queue=capped, priority=90)
        self.api.submit(type="call", queue=other, priority=10)
        got = self.put(f"/queues/{capped}/limits", {"max_running": 2})
        self.assertEqual(got, {"scope": "queue", "name": capped, "max_running": 2, "starts": None})

        leased = self.api.lease(queues=[capped, other], max_jobs=5)
        self.assertEqual(sorted(j["queue"] for j in leased), sorted([capped, capped, other]))
        queue = next(q for q in self.api.call("GET", "/queues")["queues"] if q["name"] == capped)
        self.assertEqual(queue["limits"], {"max_running": 2, "starts": None})
        self.assertEqual(queue["counts"]["running"], 2)

        self.assertEqual(self.api.call("DELETE", f"/queues/{capped}/limits")["max_running"], 0)
        self.assertEqual(len(self.api.lease(queues=[capped], max_jobs=5)), 1)
        listed = self.api.call("GET", "/limits")["limits"]
        self.assertNotIn(capped, [l["name"] for l in listed])

    def test_a_type_limit_holds_in_every_queue(self):
        kind, a, b = unique("charge"), unique("eu"), unique("us")
        self.api.submit(type=kind, queue=a)
        self.api.submit(type=kind, queue=b)
        self.put(f"/types/{kind}/limits", {"max_running": 1})
        self.assertEqual(len(self.api.lease(queues=[a, b], max_jobs=5)), 1)
        listed = self.api.call("GET", "/limits")["limits"]
        self.assertIn({"scope": "type", "name": kind, "max_running": 1, "starts": None}, listed)
        self.assertEqual(self.api.call("GET", f"/types/{kind}/limits")["max_running"], 1)
        self.api.call("DELETE", f"/types/{kind}/limits")

    def test_a_rate_lets_its_burst_start_then_holds_the_rest(self):
        queue = unique("mail")
        for _ in range(5):
            self.api.submit(type="send", queue=queue)
        # One token back an hour: nothing more starts within this test.
        self.put(f"/queues/{queue}/limits", {"starts": {"count": 2, "period_ms": 7_200_000}})
        self.assertEqual(len(self.api.lease(queues=[queue], max_jobs=5)), 2)
        self.assertEqual(self.api.lease(queues=[queue], max_jobs=5), [])

    def test_bad_limits_are_refused_naming_the_field(self):
        queue = unique("bad")
        for body, field in [
            ({"max_running": -1}, "max_running"),
            ({"max_running": "five"}, "max_running"),
            ({"starts": {"count": 10}}, "starts.period_ms"),
            ({"starts": {"count": 0, "period_ms": 1000}}, "starts.count"),
            ({"starts": {"count": 10, "period_ms": 1000, "burst": 3}}, "starts.burst"),
            ({"max_runing": 3}, "max_runing"),
        ]:
            with self.subTest(body=body):
                assert_error(self, self.api.request("PUT", f"/queues/{queue}/limits", body), 400,
                             "invalid_argument", field)
        assert_error(self, self.api.request("PUT", f"/queues/{queue}/limits", [1]), 400,
                     "invalid_argument")
        self.assertEqual(self.api.call("GET", f"/queues/{queue}/limits")["max_running"], 0)

    def test_a_waiting_lease_gets_the_job_when_a_capped_one_completes(self):
        queue = unique("wait")
        self.api.submit(type="t", queue=queue)
        second = self.api.submit(type="t", queue=queue)
        self.put(f"/queues/{queue}/limits", {"max_running": 1})
        first = self.api.lease_one(queues=[queue])
        served = long_poll_lease(self.server, self.api, worker_id="w2", queues=[queue])
        start = time.monotonic()
        self.api.complete(first["id"], first["lease_token"], {})
        self.assertEqual([j["id"] for j in served()], [second["id"]])
        self.assertLess(time.monotonic() - start, 10, "served when the place came free, not at the end of the wait")

    def test_parallel_leasers_never_go_over_the_cap(self):
        queue, cap, jobs, threads = unique("parallel"), 3, 150, 8
        self.api.submit_batch([{"type": "t", "queue": queue} for _ in range(jobs)])
        self.put(f"/queues/{queue}/limits", {"max_running": cap})
        lock = threading.Lock()
        state = {"running": 0, "most": 0, "done": 0, "errors": []}
        deadline = time.monotonic() + 120

        def leaser(n):
            api = self.server.api()
            try:
                leaser_loop(api, n)
            finally:
                api.close()

        def leaser_loop(api, n):
            while time.monotonic() < deadline:
                with lock:
                    if state["done"] >= jobs:
                        return
                try:
                    leased = api.lease(worker_id=f"w{n}", queues=[queue], max_jobs=cap + 2, wait_ms=500)
                except AssertionError as e:
                    state["errors"].append(str(e))
                    return
                with lock:
                    state["running"] += len(leased)
                    state["most"] = max(state["most"], state["running"])
                for job in leased:
                    with lock:
                        state["running"] -= 1  # before the complete: the server's count drops after it
                    api.complete(job["id"], job["lease_token"], {})
                    with lock:
                        state["done"] += 1

        workers = [threading.Thread(target=leaser, args=(n,)) for n in range(threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(timeout=150)
        self.assertEqual(state["errors"], [])
        self.assertEqual(state["done"], jobs)
        self.assertLessEqual(state["most"], cap, f"{state['most']} ran at once under a cap of {cap}")
        self.assertEqual(state["most"], cap, "a first lease takes the cap at once")
        completed = self.api.list_all(queue=queue, status="completed")
        self.assertEqual(len({j["id"] for j in completed}), jobs)


class DeclaredLimits(unittest.TestCase):
    def test_the_files_limits_are_set_at_start_and_survive_a_restart(self):
        queue, kind = unique("declared"), unique("kind")
        path = config_file(self, f"[queues.{queue}]\nmax_running = 4\n"
                                 f"[types.{kind}]\nstarts = {{ count = 10, period_ms = 1000 }}\n")
        server = Server(args=["--config", path])
        self.addCleanup(server.close)
        api = server.api()
        self.addCleanup(api.close)
        self.assertEqual(api.call("GET", f"/queues/{queue}/limits")["max_running"], 4)
        self.assertEqual(api.call("GET", f"/types/{kind}/limits")["starts"],
                         {"count": 10, "period_ms": 1000})
        other = unique("other")
        api.call("PUT", f"/queues/{other}/limits", {"max_running": 7})
        server.restart()
        listed = {(l["scope"], l["name"]): l for l in api.call("GET", "/limits")["limits"]}
        self.assertEqual(listed[("queue", queue)]["max_running"], 4)
        self.assertEqual(listed[("queue", other)]["max_running"], 7)  # set through the API: kept
        self.assertEqual(listed[("type", kind)]["starts"], {"count": 10, "period_ms": 1000})

    def test_a_bad_limit_in_the_file_stops_the_start_naming_it(self):
        path = config_file(self, "[queues.mail]\nmax_running = -3\n")
        assert_refuses_to_start(self, ["--config", path], "queues.mail.max_running")


if __name__ == "__main__":
    unittest.main()
