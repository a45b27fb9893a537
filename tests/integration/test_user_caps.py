"""Users' running caps ([tiers.NAME] max_running) against a real jobqd: a lease passes over a
user at the cap and serves the next user, a long-polling lease held back by the cap is served
when the user's job stops, the job keeps its tier, and bad settings stop the start."""

import time
import unittest

from jobqd import Server, assert_refuses_to_start, config_file, long_poll_lease, unique


class UserCaps(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.config = config_file(cls, 'default_tier = "free"\n'
                                      "[tiers.free]\nmax_running = 1\n"
                                      "[tiers.paid]\nmax_running = 3\n"
                                      "submits = { count = 1000, period_ms = 86400000 }\n")
        cls.server = Server(args=["--config", cls.config])
        cls.api = cls.server.api()

    @classmethod
    def tearDownClass(cls):
        cls.api.close()
        cls.server.close()

    def test_a_user_at_the_cap_is_passed_over(self):
        queue, alice, bob = unique("q"), unique("alice"), unique("bob")
        a1 = self.api.submit(type="t", queue=queue, user_id=alice)
        a2 = self.api.submit(type="t", queue=queue, user_id=alice)
        b1 = self.api.submit(type="t", queue=queue, user_id=bob)
        self.assertEqual(a1["tier"], "free")
        got = self.api.lease(queues=[queue], max_jobs=10)
        self.assertEqual([j["id"] for j in got], [a1["id"], b1["id"]])
        self.assertEqual(self.api.lease(queues=[queue], max_jobs=10), [])
        self.api.complete(got[0]["id"], got[0]["lease_token"], {})
        self.assertEqual([j["id"] for j in self.api.lease(queues=[queue], max_jobs=10)], [a2["id"]])

    def test_the_tiers_are_listed(self):
        self.assertEqual(self.api.call("GET", "/tiers"), {
            "default_tier": "free",
            "tiers": [{"name": "free", "submits": None, "max_running": 1},
                      {"name": "paid", "submits": {"count": 1000, "period_ms": 86400000}, "max_running": 3}]})

    def test_paid_users_have_their_own_cap(self):
        queue, carol = unique("q"), unique("carol")
        for _ in range(5):
            self.api.submit(type="t", queue=queue, user_id=carol, tier="paid")
        self.assertEqual(len(self.api.lease(queues=[queue], max_jobs=10)), 3)

    def test_a_long_poll_held_back_is_served_when_the_users_job_stops(self):
        queue, alice = unique("q"), unique("alice")
        self.api.submit(type="t", queue=queue, user_id=alice)
        second = self.api.submit(type="t", queue=queue, user_id=alice)
        first = self.api.lease_one(queues=[queue])
        served = long_poll_lease(self.server, self.api, worker_id="w2", queues=[queue])
        start = time.monotonic()
        self.api.fail(first["id"], first["lease_token"], error="x", retryable=False)
        self.assertEqual([j["id"] for j in served()], [second["id"]])
        self.assertLess(time.monotonic() - start, 10)

    def test_the_cap_survives_a_restart(self):
        server = Server(args=["--config", self.config])
        self.addCleanup(server.close)
        api = server.api()
        queue, alice = unique("q"), unique("alice")
        api.submit(type="t", queue=queue, user_id=alice)
        api.submit(type="t", queue=queue, user_id=alice)
        self.assertEqual(len(api.lease(queues=[queue], max_jobs=5)), 1)
        api.close()
        server.restart(kill=True)
        api = server.api()
        self.addCleanup(api.close)
        self.assertEqual(api.lease(queues=[queue], max_jobs=5), [], "alice still has a job running")


class BadSettings(unittest.TestCase):
    def test_bad_caps_stop_the_start(self):
        for text, named in [("[tiers.free]\nmax_running = 0\n", "tiers.free.max_running"),
                            ("[tiers.free]\nmax_running = \"two\"\n", "tiers.free.max_running"),
                            ("[tiers.free]\n", "tiers.free.submits")]:
            with self.subTest(text=text):
                assert_refuses_to_start(self, ["--config", config_file(self, text)], named)


if __name__ == "__main__":
    unittest.main()
