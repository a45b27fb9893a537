"""Users' submit quotas by tier ([tiers.NAME] and default_tier in the TOML file), against a real
jobqd: the tier's count goes through, the next submit is answered 429 with Retry-After, other
users and tiers have buckets of their own, a batch over its quota stores nothing, and what was
taken survives a restart."""

import threading
import unittest

from jobqd import Server, assert_error, assert_refuses_to_start, config_file, unique

DAY_MS = 86_400_000


class Quotas(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.config = config_file(cls, 'default_tier = "free"\n'
                                      f"[tiers.free]\nsubmits = {{ count = 5, period_ms = {DAY_MS} }}\n"
                                      f"[tiers.paid]\nsubmits = {{ count = 1000, period_ms = {DAY_MS} }}\n")
        cls.server = Server(args=["--config", cls.config])
        cls.api = cls.server.api()

    @classmethod
    def tearDownClass(cls):
        cls.api.close()
        cls.server.close()

    def submit(self, **fields):
        return self.api.request("POST", "/jobs", {"type": "t", **fields})

    def test_the_tiers_count_then_429_with_retry_after(self):
        user = unique("user")
        for i in range(5):
            status, body, _ = self.submit(user_id=user)
            self.assertEqual(status, 201, body)
        answer = self.submit(user_id=user)
        assert_error(self, answer, 429, "quota_exceeded", "user_id")
        status, body, headers = answer
        self.assertIn("free", body["error"]["message"])
        # One submit back every 4.8 hours, counted from the first submit (the clock is real here).
        wait_ms = body["error"]["details"]["retry_after_ms"]
        self.assertTrue(DAY_MS // 5 - 60_000 < wait_ms <= DAY_MS // 5, wait_ms)
        self.assertEqual(headers["Retry-After"], str((wait_ms + 999) // 1000))

        self.assertEqual(self.submit(user_id=unique("other"))[0], 201, "another user, another bucket")
        self.assertEqual(self.submit(user_id=user, tier="paid")[0], 201, "another tier, another bucket")
        self.assertEqual(self.submit()[0], 201, "no user, no quota")
        listed = self.api.list_jobs(user_id=user, limit=100)["jobs"]
        self.assertEqual(len(listed), 6)  # the refused submit stored nothing

    def test_a_batch_over_its_quota_is_refused_whole(self):
        user = unique("batch")
        status, body, _ = self.api.request("POST", "/jobs/batch",
                                           {"jobs": [{"type": "t", "user_id": user}] * 6})
        self.assertEqual(status, 429, body)
        self.assertNotIn("retry_after_ms", body["error"]["details"], "six at once never fit in five")
        self.assertEqual(self.api.list_jobs(user_id=user)["jobs"], [])
        status, body, _ = self.api.request("POST", "/jobs/batch",
                                           {"jobs": [{"type": "t", "user_id": user}] * 5})
        self.assertEqual(status, 201, body)

    def test_bad_tiers_are_400_naming_the_field(self):
        assert_error(self, self.submit(user_id="u", tier="gold"), 400, "invalid_argument", "tier")
        assert_error(self, self.submit(tier="paid"), 400, "invalid_argument", "tier")
        assert_error(self, self.api.request("POST", "/jobs/batch", {"jobs": [
            {"type": "t", "user_id": "u"}, {"type": "t", "user_id": "u", "tier": "gold"}]}),
            400, "invalid_argument", "jobs[1].tier")
        assert_error(self, self.api.request("POST", "/schedules", {
            "name": unique("s"), "cron": "@daily", "job": {"type": "t", "user_id": "u", "tier": "paid"}}),
            400, "invalid_argument", "job.tier")

    def test_parallel_submitters_get_exactly_the_quota(self):
        user, tries = unique("parallel"), 24
        codes, lock = [], threading.Lock()

        def submitter():
            api = self.server.api()
            try:
                for _ in range(tries // 6):
                    status, _, _ = api.request("POST", "/jobs", {"type": "t", "user_id": user})
                    with lock:
                        codes.append(status)
            finally:
                api.close()

        threads = [threading.Thread(target=submitter) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        self.assertEqual(sorted(codes), [201] * 5 + [429] * (tries - 5))


class TiersOfApiKeys(unittest.TestCase):
    """A key configured as KEY:ROLE/TIER puts its users' submits in that tier."""

    def test_the_keys_tier_applies_and_another_named_in_the_job_is_refused(self):
        path = config_file(self, 'default_tier = "paid"\n'
                                 "[tiers.free]\nsubmits = { count = 1, period_ms = 3600000 }\n"
                                 "[tiers.paid]\nsubmits = { count = 1000, period_ms = 3600000 }\n"
                                 '[api_keys]\n"free-app" = "producer/free"\n"admin-key" = "admin"\n')
        server = Server(args=["--config", path], api_key="free-app")
        self.addCleanup(server.close)
        free = server.api()
        self.addCleanup(free.close)
        free.call("POST", "/jobs", {"type": "t", "user_id": "u"}, expect=(201,))
        status, body, _ = free.request("POST", "/jobs", {"type": "t", "user_id": "u"})
        self.assertEqual(status, 429, body)
        self.assertIn("free", body["error"]["message"])
        assert_error(self, free.request("POST", "/jobs/batch", {"jobs": [
            {"type": "t", "user_id": "v", "tier": "paid"}]}), 400, "invalid_argument", "jobs[0].tier")
        free.call("POST", "/jobs", {"type": "t"}, expect=(201,))  # no user: no quota, no tier

        admin = server.api(api_key="admin-key")
        self.addCleanup(admin.close)
        for _ in range(3):  # the same user through a key with no tier: the default (paid)
            admin.call("POST", "/jobs", {"type": "t", "user_id": "u"}, expect=(201,))


class QuotasAcrossARestart(unittest.TestCase):
    def test_what_was_taken_survives_a_restart(self):
        path = config_file(self, 'default_tier = "free"\n'
                                 "[tiers.free]\nsubmits = { count = 2, period_ms = 3600000 }\n")
        server = Server(args=["--config", path])
        self.addCleanup(server.close)
        api = server.api()
        self.addCleanup(api.close)
        for _ in range(2):
            api.call("POST", "/jobs", {"type": "t", "user_id": "u"}, expect=(201,))
        server.restart()
        status, body, _ = api.request("POST", "/jobs", {"type": "t", "user_id": "u"})
        self.assertEqual(status, 429, body)

    def test_a_default_tier_that_is_not_declared_stops_the_start(self):
        assert_refuses_to_start(self, ["--default-tier", "gold"], "default_tier")


if __name__ == "__main__":
    unittest.main()
