"""Operators: dead letters, stats, purge, health and readiness, against a real jobqd."""

import unittest

from jobqd import STATUSES, UNKNOWN_ID, FreshServerTestCase, ServerTestCase, assert_error, unique, wait_until

NO_BACKOFF = {"initial_ms": 0, "factor": 1, "max_ms": 0, "jitter": False}


def dead_letter(api, queue, type_="t", **fields):
    """Submits a job to queue and fails it for good; returns the failed job."""
    job = api.submit(type=type_, queue=queue, **fields)
    leased = api.lease_one("w-dead", queues=[queue], types=[type_])
    assert leased["id"] == job["id"], (leased, job)
    failed = api.fail(job["id"], leased["lease_token"], "hopeless", retryable=False)
    assert failed["status"] == "failed", failed
    return failed


class DeadLetters(ServerTestCase):
    def test_fail_with_retries_then_dead_letters_then_retry_completes(self):
        job = self.api.submit(type="t", queue=self.queue, max_attempts=2, backoff=NO_BACKOFF)
        first = self.api.lease_one("w1", queues=[self.queue])
        after_first = self.api.fail(job["id"], first["lease_token"], "attempt one", traceback="tb1")
        self.assertIn(after_first["status"], ("queued", "scheduled"))
        self.assertEqual(self.api.dead_letters(queue=self.queue)["jobs"], [], "attempts are left")

        second = self.api.lease_one("w1", queues=[self.queue], wait_ms=5000)
        self.assertEqual(second["attempt"], 2)
        dead = self.api.fail(job["id"], second["lease_token"], "attempt two", traceback="tb2")
        self.assertEqual(dead["status"], "failed")
        self.assertEqual([e["message"] for e in dead["errors"]], ["attempt one", "attempt two"])
        self.assertEqual([e["attempt"] for e in dead["errors"]], [1, 2])
        self.assertEqual(dead["error"]["message"], "attempt two")

        letters = self.api.dead_letters(queue=self.queue)
        self.assertEqual([j["id"] for j in letters["jobs"]], [job["id"]])
        self.assertIn("next_cursor", letters)

        status, retried, _ = self.api.request("POST", f"/dead-letters/{job['id']}/retry")
        self.assertEqual(status, 200, retried)
        self.assertEqual(retried["status"], "queued")
        self.assertEqual(retried["attempt"], 0)
        self.assertEqual(self.api.dead_letters(queue=self.queue)["jobs"], [])

        third = self.api.lease_one("w1", queues=[self.queue])
        self.assertEqual(third["attempt"], 1)
        done = self.api.complete(job["id"], third["lease_token"], {"ok": True})
        self.assertEqual(done["status"], "completed")
        self.assertEqual(self.api.status_of(job["id"]), "completed")

    def test_dead_letters_hold_only_failed_jobs(self):
        failed = dead_letter(self.api, self.queue)
        self.api.submit(type="t", queue=self.queue)
        cancelled = self.api.submit(type="t", queue=self.queue)
        self.api.cancel(cancelled["id"])
        letters = self.api.dead_letters(queue=self.queue)["jobs"]
        self.assertEqual([j["id"] for j in letters], [failed["id"]])
        self.assertTrue(all(j["status"] == "failed" for j in letters))

    def test_dead_letters_filter_and_paginate_like_jobs(self):
        ids = {dead_letter(self.api, self.queue, "a")["id"] for _ in range(5)}
        other = dead_letter(self.api, self.queue, "b")
        self.assertEqual({j["id"] for j in self.api.dead_letters(queue=self.queue, type="b")["jobs"]}, {other["id"]})
        walked = self.api.list_all(page_limit=2, path="/dead-letters", queue=self.queue, type="a")
        self.assertEqual(len(walked), 5)
        self.assertEqual({j["id"] for j in walked}, ids)

    def test_retry_dead_letters_by_queue_and_type(self):
        a1 = dead_letter(self.api, self.queue, "a")
        a2 = dead_letter(self.api, self.queue, "a")
        b = dead_letter(self.api, self.queue, "b")
        elsewhere = dead_letter(self.api, unique("q"), "a")
        status, body, _ = self.api.request("POST", "/dead-letters/retry", {"queue": self.queue, "type": "a"})
        self.assertEqual(status, 200, body)
        self.assertEqual({j["id"] for j in body["jobs"]}, {a1["id"], a2["id"]})
        self.assertTrue(all(j["status"] == "queued" and j["attempt"] == 0 for j in body["jobs"]))
        self.assertEqual(self.api.status_of(b["id"]), "failed")
        self.assertEqual(self.api.status_of(elsewhere["id"]), "failed")
        body = self.api.call("POST", "/dead-letters/retry", {"queue": self.queue})
        self.assertEqual([j["id"] for j in body["jobs"]], [b["id"]])
        self.assertEqual(self.api.dead_letters(queue=self.queue)["jobs"], [])

    def test_retry_of_a_dead_letter_that_is_not_failed_is_409(self):
        job = self.api.submit(type="t", queue=self.queue)
        assert_error(self, self.api.request("POST", f"/dead-letters/{job['id']}/retry"), 409, "conflict")
        self.assertEqual(self.api.status_of(job["id"]), "queued")

    def test_retry_of_an_unknown_dead_letter_is_404(self):
        assert_error(self, self.api.request("POST", f"/dead-letters/{UNKNOWN_ID}/retry"), 404, "not_found")


class ServerWide(FreshServerTestCase):
    """Operations that touch every job: each test gets a fresh in-memory server."""

    store = "memory"

    def test_purge_all_dead_letters(self):
        for _ in range(3):
            dead_letter(self.api, "q1")
        dead_letter(self.api, "q2")
        kept = self.api.submit(type="t", queue="q1")
        status, body, _ = self.api.request("DELETE", "/dead-letters")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["purged"], 4)
        self.assertEqual(self.api.dead_letters()["jobs"], [])
        self.assertEqual(self.api.stats()["by_status"]["failed"], 0)
        self.assertEqual(self.api.status_of(kept["id"]), "queued")

    def test_retry_every_dead_letter(self):
        ids = {dead_letter(self.api, q)["id"] for q in ("q1", "q2", "q3")}
        status, body, _ = self.api.request("POST", "/dead-letters/retry")
        self.assertEqual(status, 200, body)
        self.assertEqual({j["id"] for j in body["jobs"]}, ids)
        self.assertEqual(self.api.stats()["by_status"]["queued"], 3)

    def test_maintenance_purge_removes_old_finished_jobs_of_the_given_statuses(self):
        completed = self.api.submit(type="t", queue="q")
        leased = self.api.lease_one("w", queues=["q"])
        self.api.complete(completed["id"], leased["lease_token"])
        cancelled = self.api.submit(type="t", queue="q")
        self.api.cancel(cancelled["id"])
        failed = dead_letter(self.api, "q")
        queued = self.api.submit(type="t", queue="q")

        # Nothing finished more than a day ago.
        body = self.api.call("POST", "/maintenance/purge",
                             {"older_than_s": 86400, "statuses": ["completed", "cancelled"]})
        self.assertEqual(body["purged"], 0)
        self.assertEqual(self.api.status_of(completed["id"]), "completed")

        # older_than_s 0: everything finished up to now. Polled, since "before now" is strict.
        def purge_now():
            self.api.call("POST", "/maintenance/purge", {"older_than_s": 0, "statuses": ["completed", "cancelled"]})
            return self.api.request("GET", f"/jobs/{completed['id']}")[0] == 404 and \
                self.api.request("GET", f"/jobs/{cancelled['id']}")[0] == 404
        wait_until(purge_now, timeout=5.0, interval=0.05, message="the purge to remove the finished jobs")
        self.assertEqual(self.api.status_of(failed["id"]), "failed", "failed was not among the statuses")
        self.assertEqual(self.api.status_of(queued["id"]), "queued")

    def test_maintenance_purge_counts_what_it_removed(self):
        ids = []
        for _ in range(3):
            job = self.api.submit(type="t", queue="q")
            self.api.cancel(job["id"])
            ids.append(job["id"])
        purged = []
        wait_until(lambda: purged.append(self.api.call("POST", "/maintenance/purge",
                                                       {"older_than_s": 0, "statuses": ["cancelled"]})["purged"])
                   or sum(purged) >= 3, timeout=5.0, interval=0.05)
        self.assertEqual(sum(purged), 3)
        for job_id in ids:
            assert_error(self, self.api.request("GET", f"/jobs/{job_id}"), 404, "not_found")

    def test_maintenance_purge_refuses_active_statuses(self):
        job = self.api.submit(type="t", queue="q")
        assert_error(self, self.api.request("POST", "/maintenance/purge", {"older_than_s": 0, "statuses": ["queued"]}),
                     400, "invalid_argument", "statuses")
        self.assertEqual(self.api.status_of(job["id"]), "queued")

    def test_stats_count_every_status_queue_and_type(self):
        stats = self.api.stats()
        self.assertEqual(set(stats["by_status"]), set(STATUSES))
        self.assertTrue(all(v == 0 for v in stats["by_status"].values()))

        self.api.submit(type="render", queue="q1")
        self.api.submit(type="render", queue="q1", delay_ms=600000)
        first = self.api.submit(type="sync", queue="q2")
        second = self.api.submit(type="sync", queue="q2")
        leased = self.api.lease_one("w", queues=["q2"])
        self.assertEqual(leased["id"], first["id"])
        self.api.complete(leased["id"], leased["lease_token"])
        self.assertEqual(self.api.lease_one("w", queues=["q2"])["id"], second["id"])
        dead_letter(self.api, "q3", "render")

        stats = self.api.stats()
        by_status = stats["by_status"]
        self.assertEqual(set(by_status), set(STATUSES))
        self.assertEqual({k: v for k, v in by_status.items() if v},
                         {"queued": 1, "scheduled": 1, "running": 1, "completed": 1, "failed": 1})
        queues = stats["queues"]
        self.assertEqual({k: v for k, v in queues["q1"].items() if v}, {"queued": 1, "scheduled": 1})
        self.assertEqual({k: v for k, v in queues["q2"].items() if v}, {"running": 1, "completed": 1})
        self.assertEqual({k: v for k, v in queues["q3"].items() if v}, {"failed": 1})

        types = {t["type"]: t for t in stats["types"]}
        self.assertEqual(set(types), {"render", "sync"})
        sync = types["sync"]
        self.assertEqual({k: v for k, v in sync["counts"].items() if v}, {"running": 1, "completed": 1})
        self.assertEqual({k: v for k, v in types["render"]["counts"].items() if v},
                         {"queued": 1, "scheduled": 1, "failed": 1})
        self.assertEqual(sync["success_rate"], 1)
        self.assertGreaterEqual(sync["mean_run_ms"], 0)
        self.assertGreaterEqual(sync["p95_run_ms"], 0)
        self.assertEqual(types["render"]["success_rate"], 0)
        self.assertEqual(sync["finished_runs"], 1)
        self.assertEqual(types["render"]["finished_runs"], 1)

        one = self.api.call("GET", "/stats/sync")
        self.assertEqual(one["type"], "sync")
        self.assertEqual(one["counts"], sync["counts"])

    def test_a_type_with_no_finished_attempt_has_no_run_figures(self):
        t = unique("idle")
        self.api.submit(type=t)
        one = self.api.call("GET", f"/stats/{t}")
        self.assertEqual(one["finished_runs"], 0)
        self.assertEqual((one["mean_run_ms"], one["p95_run_ms"], one["success_rate"]), (None, None, None))

    def test_success_rate_counts_completed_against_failed(self):
        for _ in range(2):
            self.api.submit(type="mixed", queue="q")
            leased = self.api.lease_one("w", queues=["q"])
            self.api.complete(leased["id"], leased["lease_token"])
        dead_letter(self.api, "q", "mixed")
        dead_letter(self.api, "q", "mixed")
        self.assertAlmostEqual(self.api.call("GET", "/stats/mixed")["success_rate"], 0.5)

    def test_stats_of_an_unknown_type_is_404(self):
        assert_error(self, self.api.request("GET", "/stats/never-submitted"), 404, "not_found")


class HealthAndReady(ServerTestCase):
    store = "memory"

    def assert_answers(self, paths, expected):
        """Each of paths answers GET with 200 and the body expected."""
        for path in paths:
            with self.subTest(path=path):
                status, body, _ = self.api.request("GET", path, absolute=True)
                self.assertEqual(status, 200, body)
                self.assertEqual(body, expected)

    def test_health(self):
        self.assert_answers(("/health", "/api/v1/health"), {"status": "ok"})

    def test_ready(self):
        self.assert_answers(("/ready", "/api/v1/ready"), {"status": "ready"})

    def test_answers_are_json(self):
        _, _, headers = self.api.request("GET", "/stats")
        self.assertTrue(headers.get("Content-Type", "").startswith("application/json"), headers.get("Content-Type"))
        _, _, headers = self.api.request("GET", f"/jobs/{UNKNOWN_ID}")
        self.assertTrue(headers.get("Content-Type", "").startswith("application/json"), headers.get("Content-Type"))


class ReadyOnSqlite(ServerTestCase):
    def test_ready_on_sqlite(self):
        status, body, _ = self.api.request("GET", "/ready", absolute=True)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["status"], "ready")


if __name__ == "__main__":
    unittest.main()
