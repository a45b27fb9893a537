"""Retention: how long finished jobs are kept, server-wide, per queue (the TOML file's [queues.NAME]
tables) and per job (result_ttl_ms), and the dead-letter caps, against a real jobqd."""

import unittest
from datetime import datetime

from jobqd import Server, assert_error, assert_refuses_to_start, config_file, unique, wait_until

DAY_MS = 24 * 3600 * 1000


def ms(text):
    return round(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def kept_ms(job):
    """How long the server keeps a finished job: expires_at - completed_at."""
    return ms(job["expires_at"]) - ms(job["completed_at"])


def finish(api, queue, how, **fields):
    job = api.submit(type="t", queue=queue, **fields)
    if how == "cancel":
        return api.cancel(job["id"])
    leased = api.lease_one(queues=[queue])
    assert leased["id"] == job["id"], (leased, job)
    if how == "complete":
        return api.complete(job["id"], leased["lease_token"], {"ok": True})
    return api.fail(job["id"], leased["lease_token"], "hopeless", retryable=False)


def gone(api, job_id):
    status, _, _ = api.request("GET", f"/jobs/{job_id}")
    return status == 404


class Retention(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fast, cls.capped = unique("fast"), unique("capped")
        cls.config = config_file(cls, f"retain_completed_ms = 3600000\n"
                                      f"[queues.{cls.fast}]\nretain_completed_ms = 300\n"
                                      f"[queues.{cls.capped}]\ndead_letter_cap = 2\n")
        cls.server = Server(args=["--config", cls.config, "--retain-cancelled-ms", "120000"])
        cls.api = cls.server.api()

    @classmethod
    def tearDownClass(cls):
        cls.api.close()
        cls.server.close()

    def test_the_server_settings_decide_how_long_each_status_is_kept(self):
        queue = unique("q")
        self.assertEqual(kept_ms(finish(self.api, queue, "complete")), 3600000)  # the file
        self.assertEqual(kept_ms(finish(self.api, queue, "cancel")), 120000)  # the flag
        self.assertEqual(kept_ms(finish(self.api, queue, "fail")), 7 * DAY_MS)  # the default

    def test_a_queue_of_its_own_retention_is_purged_after_it(self):
        done = finish(self.api, self.fast, "complete")
        kept = finish(self.api, self.fast, "complete", result_ttl_ms=600000)
        failed = finish(self.api, self.fast, "fail")
        self.assertEqual(kept_ms(done), 300)
        self.assertEqual(kept["result_ttl_ms"], 600000)
        self.assertEqual(kept_ms(kept), 600000)
        self.assertEqual(kept_ms(failed), 7 * DAY_MS, "the queue sets only completed jobs' time")
        wait_until(lambda: gone(self.api, done["id"]), message="the completed job purged")
        self.assertEqual(self.api.status_of(kept["id"]), "completed")
        self.assertEqual(self.api.status_of(failed["id"]), "failed")

    def test_a_queue_of_its_own_dead_letter_cap_keeps_its_newest(self):
        failed = [finish(self.api, self.capped, "fail")["id"] for _ in range(3)]
        wait_until(lambda: gone(self.api, failed[0]), message="the oldest dead letter dropped")
        dead = self.api.call("GET", "/dead-letters", params={"queue": self.capped})["jobs"]
        self.assertEqual(sorted(j["id"] for j in dead), sorted(failed[1:]))

    def test_result_ttl_ms_is_checked(self):
        for bad in (-1, 10**15, "1h"):
            answer = self.api.request("POST", "/jobs", {"type": "t", "result_ttl_ms": bad})
            assert_error(self, answer, 400, "invalid_argument", "result_ttl_ms")


class BadRetentionSettings(unittest.TestCase):
    def test_jobqd_refuses_to_start_and_names_the_setting(self):
        cases = (
            ("[queues.mail]\nretain_completed_ms = -1\n", [], "queues.mail.retain_completed_ms"),
            ("[queues.mail]\nttl = 5\n", [], "queues.mail.ttl"),
            ("", ["--dead-letter-cap", "lots"], "--dead-letter-cap"),
        )
        for text, args, field in cases:
            with self.subTest(field=field):
                assert_refuses_to_start(self, ["--config", config_file(self, text), *args], field)


if __name__ == "__main__":
    unittest.main()
