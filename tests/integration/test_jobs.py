"""Producers: submit, get, list, filters, pagination, idempotency, batch, PATCH, cancel, delete,
retry and wait, against a real jobqd."""

import re
import unittest

from jobqd import FINISHED, ServerTestCase, assert_error, run_in_thread, timed, unique, wait_until

TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
FAR_FUTURE = "2100-01-01T00:00:00.000Z"
FAR_PAST = "2000-01-01T00:00:00.000Z"


class SubmitAndGet(ServerTestCase):
    def test_submit_answers_201_with_the_job_and_defaults(self):
        status, job, _ = self.api.request("POST", "/jobs", {"type": "generate_report", "queue": self.queue,
                                                             "payload": {"user": 42, "list": [1, "a", None]}})
        self.assertEqual(status, 201, job)
        self.assertIsInstance(job["id"], str)
        self.assertTrue(job["id"])
        self.assertEqual(job["type"], "generate_report")
        self.assertEqual(job["queue"], self.queue)
        self.assertEqual(job["priority"], 50)
        self.assertEqual(job["payload"], {"user": 42, "list": [1, "a", None]})
        self.assertEqual(job["status"], "queued")
        self.assertEqual(job["attempt"], 0)
        self.assertEqual(job["max_attempts"], 3)
        self.assertEqual(set(job["backoff"]), {"initial_ms", "factor", "max_ms", "jitter"})
        self.assertFalse(job.get("cancel_requested"))
        self.assertFalse(job.get("lease_token"), "the lease token goes only to a leasing worker")
        for field in ("created_at", "updated_at"):
            self.assertRegex(job[field], TIME_RE)

    def test_default_queue_is_default(self):
        job = self.api.submit(type=unique("t"))
        self.assertEqual(job["queue"], "default")
        # Leave the shared default queue empty for other tests.
        self.api.cancel(job["id"])

    def test_get_answers_the_stored_job(self):
        fields = dict(type="sync", queue=self.queue, priority=70, payload=[1, 2, 3], max_attempts=5,
                      backoff={"initial_ms": 10, "factor": 3, "max_ms": 1000, "jitter": False},
                      timeout_ms=60000, soft_timeout_ms=30000, user_id="user-7", tags=["a", "b"])
        submitted = self.api.submit(**fields)
        job = self.api.get(submitted["id"])
        self.assertEqual(job["id"], submitted["id"])
        for key, value in fields.items():
            if key == "backoff":
                self.assertEqual(job["backoff"]["initial_ms"], 10)
                self.assertEqual(job["backoff"]["factor"], 3)
                self.assertEqual(job["backoff"]["max_ms"], 1000)
                self.assertIs(job["backoff"]["jitter"], False)
            else:
                self.assertEqual(job[key], value, key)
        self.assertEqual(job["created_at"], submitted["created_at"])

    def test_jitter_is_true_false_or_a_fraction(self):
        for jitter in (True, False, 0.1):
            job = self.api.submit(type="t", queue=self.queue, backoff={"jitter": jitter})
            self.assertEqual(self.api.get(job["id"])["backoff"]["jitter"], jitter)
            self.assertIs(type(self.api.get(job["id"])["backoff"]["jitter"]), type(jitter))
        for bad in (1, 1.5, -0.1, "yes"):
            answer = self.api.request("POST", "/jobs",
                                      {"type": "t", "queue": self.queue, "backoff": {"jitter": bad}})
            assert_error(self, answer, 400, "invalid_argument", "backoff.jitter")

    def test_priority_aliases(self):
        for alias, value in (("low", 10), ("normal", 50), ("high", 80), ("critical", 100)):
            job = self.api.submit(type="t", queue=self.queue, priority=alias)
            self.assertEqual(job["priority"], value, alias)
        self.assertEqual(self.api.submit(type="t", queue=self.queue, priority=0)["priority"], 0)
        self.assertEqual(self.api.submit(type="t", queue=self.queue, priority=100)["priority"], 100)

    def test_payload_of_any_json_kind_round_trips(self):
        for payload in ("text", 12.5, True, None, [], {"nested": {"deep": [{"x": 1}]}}, "ünïcödé ✓"):
            job = self.api.submit(type="t", queue=self.queue, payload=payload)
            self.assertEqual(self.api.get(job["id"])["payload"], payload)

    def test_delay_gives_a_scheduled_job_with_run_at(self):
        job = self.api.submit(type="t", queue=self.queue, delay_ms=60000)
        self.assertEqual(job["status"], "scheduled")
        self.assertRegex(job["run_at"], TIME_RE)
        self.assertGreater(job["run_at"], job["created_at"])

    def test_run_at_in_the_future_gives_a_scheduled_job(self):
        job = self.api.submit(type="t", queue=self.queue, run_at=FAR_FUTURE)
        self.assertEqual(job["status"], "scheduled")
        self.assertEqual(job["run_at"], FAR_FUTURE)

    def test_run_at_in_the_past_gives_a_queued_job(self):
        job = self.api.submit(type="t", queue=self.queue, run_at=FAR_PAST)
        self.assertEqual(job["status"], "queued")

    def test_unknown_id_is_404(self):
        assert_error(self, self.api.request("GET", "/jobs/01890000-0000-7000-8000-000000000000"),
                     404, "not_found")


class Idempotency(ServerTestCase):
    def test_same_key_while_unfinished_answers_200_with_the_same_job(self):
        key = unique("idem")
        s1, first, _ = self.api.request("POST", "/jobs", {"type": "t", "queue": self.queue,
                                                          "idempotency_key": key, "payload": 1})
        self.assertEqual(s1, 201, first)
        s2, second, _ = self.api.request("POST", "/jobs", {"type": "t", "queue": self.queue,
                                                           "idempotency_key": key, "payload": 2})
        self.assertEqual(s2, 200, second)
        self.assertEqual(second["id"], first["id"])
        self.assertEqual(second["payload"], 1, "the live job is returned, not a new one")
        self.assertEqual(len(self.api.list_jobs(queue=self.queue)["jobs"]), 1)

    def test_same_key_while_running_is_still_the_same_job(self):
        key = unique("idem")
        first = self.api.submit(type="t", queue=self.queue, idempotency_key=key)
        self.api.lease_one(queues=[self.queue])
        status, again, _ = self.api.request("POST", "/jobs",
                                            {"type": "t", "queue": self.queue, "idempotency_key": key})
        self.assertEqual(status, 200, again)
        self.assertEqual(again["id"], first["id"])
        self.assertEqual(again["status"], "running")

    def test_same_key_after_the_job_finished_creates_a_new_job(self):
        key = unique("idem")
        first = self.api.submit(type="t", queue=self.queue, idempotency_key=key)
        leased = self.api.lease_one(queues=[self.queue])
        self.api.complete(leased["id"], leased["lease_token"], {"done": True})
        status, second, _ = self.api.request("POST", "/jobs",
                                             {"type": "t", "queue": self.queue, "idempotency_key": key})
        self.assertEqual(status, 201, second)
        self.assertNotEqual(second["id"], first["id"])

    def test_different_keys_are_different_jobs(self):
        a = self.api.submit(type="t", queue=self.queue, idempotency_key=unique("k"))
        b = self.api.submit(type="t", queue=self.queue, idempotency_key=unique("k"))
        self.assertNotEqual(a["id"], b["id"])


class Batch(ServerTestCase):
    def test_batch_creates_every_job_in_order(self):
        specs = [{"type": "a", "queue": self.queue}, {"type": "b", "queue": self.queue, "priority": "high"},
                 {"type": "c", "queue": self.queue, "payload": {"n": 3}, "delay_ms": 60000}]
        status, body, _ = self.api.request("POST", "/jobs/batch", {"jobs": specs})
        self.assertEqual(status, 201, body)
        jobs = body["jobs"]
        self.assertEqual([j["type"] for j in jobs], ["a", "b", "c"])
        self.assertEqual(len({j["id"] for j in jobs}), 3)
        self.assertEqual(jobs[1]["priority"], 80)
        self.assertEqual(jobs[2]["status"], "scheduled")
        self.assertEqual(jobs[2]["payload"], {"n": 3})
        for j in jobs:
            self.assertEqual(self.api.get(j["id"])["type"], j["type"])

    def test_one_bad_job_rejects_the_whole_batch(self):
        before = self.api.job_count()
        specs = [{"type": "a", "queue": self.queue}, {"type": "b", "queue": self.queue, "priority": 101},
                 {"type": "c", "queue": self.queue}]
        assert_error(self, self.api.request("POST", "/jobs/batch", {"jobs": specs}),
                     400, "invalid_argument", "jobs[1].priority")
        self.assertEqual(self.api.list_jobs(queue=self.queue)["jobs"], [])
        self.assertEqual(self.api.job_count(), before)

    def test_unknown_field_in_a_batch_job_names_it(self):
        specs = [{"type": "a", "queue": self.queue}, {"type": "b", "queue": self.queue},
                 {"type": "c", "queue": self.queue, "colour": "red"}]
        assert_error(self, self.api.request("POST", "/jobs/batch", {"jobs": specs}),
                     400, "invalid_argument", "jobs[2].colour")
        self.assertEqual(self.api.list_jobs(queue=self.queue)["jobs"], [])

    def test_more_than_1000_is_refused(self):
        before = self.api.job_count()
        too_many = {"jobs": [{"type": "t", "queue": self.queue}] * 1001}
        assert_error(self, self.api.request("POST", "/jobs/batch", too_many), 400, "invalid_argument", "jobs")
        self.assertEqual(self.api.list_jobs(queue=self.queue)["jobs"], [])
        self.assertEqual(self.api.job_count(), before)

    def test_answer_ids_gives_the_ids_in_order(self):
        key = unique("k")
        live = self.api.submit(type="t", queue=self.queue, idempotency_key=key)
        specs = [{"type": "a", "queue": self.queue, "payload": 1}, {"type": "t", "queue": self.queue, "idempotency_key": key},
                 {"type": "b", "queue": self.queue, "payload": 2}]
        status, body, _ = self.api.request("POST", "/jobs/batch", {"jobs": specs, "answer": "ids"})
        self.assertEqual(status, 201, body)
        self.assertEqual(list(body), ["ids"])
        ids = body["ids"]
        self.assertEqual(ids[1], live["id"], "an idempotency hit answers the live job's id")
        self.assertEqual([self.api.get(i)["payload"] for i in (ids[0], ids[2])], [1, 2])
        assert_error(self, self.api.request("POST", "/jobs/batch", {"jobs": specs, "answer": "some"}),
                     400, "invalid_argument", "answer")

    def test_a_full_batch_of_1000(self):
        jobs = self.api.submit_batch([{"type": "bulk", "queue": self.queue, "payload": i} for i in range(1000)])
        self.assertEqual(len(jobs), 1000)
        self.assertEqual([j["payload"] for j in jobs], list(range(1000)))
        self.assertEqual(self.api.stats()["queues"][self.queue]["queued"], 1000)


class ListAndFilter(ServerTestCase):
    def submit_mix(self):
        user = unique("user")
        tag = unique("tag")
        a1 = self.api.submit(type="alpha", queue=self.queue, user_id=user, tags=[tag, "x"], priority=10)
        a2 = self.api.submit(type="alpha", queue=self.queue, priority=90)
        b1 = self.api.submit(type="beta", queue=self.queue, user_id=user, priority=50)
        b2 = self.api.submit(type="beta", queue=self.queue, delay_ms=600000, tags=[tag])
        return user, tag, a1, a2, b1, b2

    def ids(self, page):
        return {j["id"] for j in page["jobs"]}

    def test_list_answers_jobs_and_next_cursor(self):
        _, _, a1, a2, b1, b2 = self.submit_mix()
        page = self.api.list_jobs(queue=self.queue)
        self.assertEqual(self.ids(page), {a1["id"], a2["id"], b1["id"], b2["id"]})
        self.assertIn("next_cursor", page)
        self.assertIsNone(page["next_cursor"])
        for job in page["jobs"]:
            self.assertFalse(job.get("lease_token"))

    def test_filters(self):
        user, tag, a1, a2, b1, b2 = self.submit_mix()
        self.assertEqual(self.ids(self.api.list_jobs(queue=self.queue, type="alpha")), {a1["id"], a2["id"]})
        self.assertEqual(self.ids(self.api.list_jobs(queue=self.queue, user_id=user)), {a1["id"], b1["id"]})
        self.assertEqual(self.ids(self.api.list_jobs(queue=self.queue, tag=tag)), {a1["id"], b2["id"]})
        self.assertEqual(self.ids(self.api.list_jobs(queue=self.queue, status="scheduled")), {b2["id"]})
        self.assertEqual(self.ids(self.api.list_jobs(queue=self.queue, status="queued,scheduled")),
                         {a1["id"], a2["id"], b1["id"], b2["id"]})
        self.assertEqual(self.ids(self.api.list_jobs(queue=self.queue, type="beta", user_id=user)), {b1["id"]})
        self.assertEqual(self.ids(self.api.list_jobs(queue=unique("empty"))), set())

    def test_status_filter_follows_the_job(self):
        _, _, a1, a2, b1, b2 = self.submit_mix()
        leased = self.api.lease_one(queues=[self.queue])
        self.assertEqual(leased["id"], a2["id"], "priority 90 first")
        self.api.fail(leased["id"], leased["lease_token"], "bad", retryable=False)
        self.api.cancel(b1["id"])
        self.assertEqual(self.ids(self.api.list_jobs(queue=self.queue, status="failed")), {a2["id"]})
        self.assertEqual(self.ids(self.api.list_jobs(queue=self.queue, status="queued,failed")), {a1["id"], a2["id"]})
        self.assertEqual(self.ids(self.api.list_jobs(queue=self.queue, status="cancelled")), {b1["id"]})

    def test_created_after_and_before(self):
        _, _, a1, a2, b1, b2 = self.submit_mix()
        everything = {a1["id"], a2["id"], b1["id"], b2["id"]}
        self.assertEqual(self.ids(self.api.list_jobs(queue=self.queue, created_after=FAR_PAST)), everything)
        self.assertEqual(self.ids(self.api.list_jobs(queue=self.queue, created_after=FAR_FUTURE)), set())
        self.assertEqual(self.ids(self.api.list_jobs(queue=self.queue, created_before=FAR_FUTURE)), everything)
        self.assertEqual(self.ids(self.api.list_jobs(queue=self.queue, created_before=FAR_PAST)), set())
        # created_after is inclusive, created_before exclusive.
        self.assertIn(a1["id"], self.ids(self.api.list_jobs(queue=self.queue, created_after=a1["created_at"])))
        self.assertNotIn(a1["id"], self.ids(self.api.list_jobs(queue=self.queue, created_before=a1["created_at"])))
        self.assertIn(b2["id"], self.ids(self.api.list_jobs(queue=self.queue, created_after=b2["created_at"])))

    def test_sort_and_order(self):
        self.submit_mix()

        def listed(field, sort, order):
            return [j[field] for j in self.api.list_jobs(queue=self.queue, sort=sort, order=order)["jobs"]]

        by_priority = listed("priority", "priority", "desc")
        self.assertEqual(by_priority, sorted(by_priority, reverse=True))
        self.assertEqual(by_priority[0], 90)
        by_priority = listed("priority", "priority", "asc")
        self.assertEqual(by_priority, sorted(by_priority))
        created = listed("created_at", "created_at", "asc")
        self.assertEqual(created, sorted(created))
        created = listed("created_at", "created_at", "desc")
        self.assertEqual(created, sorted(created, reverse=True))
        updated = listed("updated_at", "updated_at", "desc")
        self.assertEqual(updated, sorted(updated, reverse=True))

    def test_submit_order_within_ascending_created_at(self):
        ids = [self.api.submit(type="t", queue=self.queue)["id"] for _ in range(5)]
        listed = [j["id"] for j in self.api.list_jobs(queue=self.queue, sort="created_at", order="asc")["jobs"]]
        self.assertEqual(listed, ids)
        listed = [j["id"] for j in self.api.list_jobs(queue=self.queue, sort="created_at", order="desc")["jobs"]]
        self.assertEqual(listed, ids[::-1])

    def test_limit(self):
        for _ in range(5):
            self.api.submit(type="t", queue=self.queue)
        page = self.api.list_jobs(queue=self.queue, limit=2)
        self.assertEqual(len(page["jobs"]), 2)
        self.assertIsInstance(page["next_cursor"], str)
        self.assertTrue(page["next_cursor"])

    def test_offset_skips_jobs(self):
        ids = [self.api.submit(type="t", queue=self.queue)["id"] for _ in range(5)]
        page = self.api.list_jobs(queue=self.queue, sort="created_at", order="asc", limit=2, offset=2)
        self.assertEqual([j["id"] for j in page["jobs"]], ids[2:4])

    def test_cursor_walks_the_whole_list_without_duplicates(self):
        ids = [j["id"] for j in self.api.submit_batch([{"type": "t", "queue": self.queue} for _ in range(23)])]
        for order in ("asc", "desc"):
            with self.subTest(order=order):
                seen, pages, cursor = [], 0, None
                while True:
                    page = self.api.list_jobs(queue=self.queue, sort="created_at", order=order, limit=5, cursor=cursor)
                    self.assertLessEqual(len(page["jobs"]), 5)
                    seen.extend(j["id"] for j in page["jobs"])
                    pages += 1
                    self.assertLessEqual(pages, 10, "the walk does not end")
                    cursor = page["next_cursor"]
                    if cursor is None:
                        break
                self.assertEqual(len(seen), len(set(seen)), "a job appeared twice")
                self.assertEqual(seen, ids if order == "asc" else ids[::-1])
                self.assertEqual(pages, 5)

    def test_cursor_walk_by_priority_with_ties(self):
        priorities = (10, 50, 50, 80, 50, 10, 100, 50, 80, 0, 50)
        specs = [{"type": "t", "queue": self.queue, "priority": p} for p in priorities]
        ids = {j["id"] for j in self.api.submit_batch(specs)}
        walked = self.api.list_all(page_limit=3, queue=self.queue, sort="priority", order="desc")
        self.assertEqual(len(walked), len(specs))
        self.assertEqual({j["id"] for j in walked}, ids)
        priorities = [j["priority"] for j in walked]
        self.assertEqual(priorities, sorted(priorities, reverse=True))


class Dependencies(ServerTestCase):
    def test_a_dependent_waits_until_its_dependency_completes(self):
        first = self.api.submit(type="t", queue=self.queue)
        second = self.api.submit(type="t", queue=self.queue, depends_on=[first["id"]])
        self.assertEqual(second["status"], "waiting")
        self.assertEqual(second["depends_on"], [first["id"]])
        leased = self.api.lease("w", queues=[self.queue], max_jobs=10)
        self.assertEqual([j["id"] for j in leased], [first["id"]], "a waiting job is not leasable")
        self.api.complete(first["id"], leased[0]["lease_token"])
        wait_until(lambda: self.api.status_of(second["id"]) == "queued", message="the dependent to be released")
        self.assertEqual(self.api.lease_one("w", queues=[self.queue])["id"], second["id"])

    def test_a_dependent_waits_for_all_its_dependencies(self):
        a = self.api.submit(type="t", queue=self.queue)
        b = self.api.submit(type="t", queue=self.queue)
        c = self.api.submit(type="t", queue=self.queue, depends_on=[a["id"], b["id"]])
        la = self.api.lease_one("w", queues=[self.queue])
        lb = self.api.lease_one("w", queues=[self.queue])
        self.api.complete(la["id"], la["lease_token"])
        self.assertEqual(self.api.status_of(c["id"]), "waiting")
        self.api.complete(lb["id"], lb["lease_token"])
        wait_until(lambda: self.api.status_of(c["id"]) == "queued", message="the dependent to be released")

    def test_a_failed_dependency_fails_its_dependents(self):
        first = self.api.submit(type="t", queue=self.queue)
        second = self.api.submit(type="t", queue=self.queue, depends_on=[first["id"]])
        leased = self.api.lease_one("w", queues=[self.queue])
        self.api.fail(first["id"], leased["lease_token"], "broken", retryable=False)
        failed = wait_until(lambda: (j := self.api.get(second["id"]))["status"] == "failed" and j,
                            message="the dependent to fail")
        self.assertIn(first["id"], failed["error"]["message"])

    def test_a_cancelled_dependency_fails_its_dependents(self):
        first = self.api.submit(type="t", queue=self.queue)
        second = self.api.submit(type="t", queue=self.queue, depends_on=[first["id"]])
        self.api.cancel(first["id"])
        wait_until(lambda: self.api.status_of(second["id"]) == "failed", message="the dependent to fail")

    def test_depending_on_a_failed_job_is_409(self):
        first = self.api.submit(type="t", queue=self.queue)
        self.api.cancel(first["id"])
        before = self.api.job_count()
        assert_error(self, self.api.request("POST", "/jobs", {"type": "t", "queue": self.queue,
                                                              "depends_on": [first["id"]]}), 409, "conflict")
        self.assertEqual(self.api.job_count(), before)


class Patch(ServerTestCase):
    def test_patch_priority_of_a_queued_job_changes_lease_order(self):
        first = self.api.submit(type="t", queue=self.queue)
        second = self.api.submit(type="t", queue=self.queue)
        patched = self.api.patch(second["id"], priority=90)
        self.assertEqual(patched["priority"], 90)
        self.assertEqual(patched["status"], "queued")
        self.assertEqual(self.api.get(second["id"])["priority"], 90)
        self.assertEqual(self.api.lease_one(queues=[self.queue])["id"], second["id"])
        self.assertEqual(self.api.lease_one(queues=[self.queue])["id"], first["id"])

    def test_patch_delay_ms_zero_makes_a_scheduled_job_queued(self):
        job = self.api.submit(type="t", queue=self.queue, delay_ms=600000)
        self.assertEqual(job["status"], "scheduled")
        self.assertEqual(self.api.lease(queues=[self.queue]), [])
        patched = self.api.patch(job["id"], delay_ms=0)
        self.assertEqual(patched["status"], "queued")
        self.assertEqual(self.api.lease_one(queues=[self.queue])["id"], job["id"])

    def test_patch_run_at_in_the_future_makes_a_queued_job_scheduled(self):
        job = self.api.submit(type="t", queue=self.queue)
        patched = self.api.patch(job["id"], run_at=FAR_FUTURE)
        self.assertEqual(patched["status"], "scheduled")
        self.assertEqual(patched["run_at"], FAR_FUTURE)
        self.assertEqual(self.api.lease(queues=[self.queue]), [])

    def test_patch_priority_alias(self):
        job = self.api.submit(type="t", queue=self.queue, delay_ms=600000)
        self.assertEqual(self.api.patch(job["id"], priority="critical")["priority"], 100)

    def test_patch_of_a_running_job_is_409(self):
        job = self.api.submit(type="t", queue=self.queue)
        self.api.lease_one(queues=[self.queue])
        assert_error(self, self.api.request("PATCH", f"/jobs/{job['id']}", {"priority": 90}), 409, "conflict")
        self.assertEqual(self.api.get(job["id"])["priority"], 50)

    def test_patch_of_a_finished_job_is_409(self):
        job = self.api.submit(type="t", queue=self.queue)
        leased = self.api.lease_one(queues=[self.queue])
        self.api.complete(job["id"], leased["lease_token"])
        assert_error(self, self.api.request("PATCH", f"/jobs/{job['id']}", {"priority": 90}), 409, "conflict")
        self.assertEqual(self.api.get(job["id"])["priority"], 50)

    def test_patch_of_an_unknown_job_is_404(self):
        assert_error(self, self.api.request("PATCH", "/jobs/01890000-0000-7000-8000-000000000000", {"priority": 1}),
                     404, "not_found")


class CancelDeleteRetry(ServerTestCase):
    def test_cancel_a_queued_job_at_once(self):
        job = self.api.submit(type="t", queue=self.queue)
        cancelled = self.api.cancel(job["id"])
        self.assertEqual(cancelled["status"], "cancelled")
        self.assertEqual(self.api.status_of(job["id"]), "cancelled")
        self.assertEqual(self.api.lease(queues=[self.queue]), [])

    def test_cancel_a_scheduled_job_at_once(self):
        job = self.api.submit(type="t", queue=self.queue, delay_ms=600000)
        self.assertEqual(self.api.cancel(job["id"])["status"], "cancelled")

    def test_cancel_a_running_job_asks_its_worker(self):
        job = self.api.submit(type="t", queue=self.queue)
        self.api.lease_one(queues=[self.queue])
        answer = self.api.cancel(job["id"])
        self.assertEqual(answer["status"], "running")
        self.assertIs(answer["cancel_requested"], True)
        self.assertIs(self.api.get(job["id"])["cancel_requested"], True)

    def test_cancel_a_completed_job_is_409(self):
        job = self.api.submit(type="t", queue=self.queue)
        leased = self.api.lease_one(queues=[self.queue])
        self.api.complete(job["id"], leased["lease_token"])
        assert_error(self, self.api.request("POST", f"/jobs/{job['id']}/cancel"), 409, "conflict")
        self.assertEqual(self.api.status_of(job["id"]), "completed")

    def test_cancel_an_unknown_job_is_404(self):
        assert_error(self, self.api.request("POST", "/jobs/01890000-0000-7000-8000-000000000000/cancel"),
                     404, "not_found")

    def test_delete_an_active_job_cancels_it(self):
        job = self.api.submit(type="t", queue=self.queue)
        status, body, _ = self.api.request("DELETE", f"/jobs/{job['id']}")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["status"], "cancelled")
        self.assertEqual(self.api.status_of(job["id"]), "cancelled")

    def test_delete_a_running_job_asks_its_worker(self):
        job = self.api.submit(type="t", queue=self.queue)
        self.api.lease_one(queues=[self.queue])
        status, body, _ = self.api.request("DELETE", f"/jobs/{job['id']}")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["status"], "running")
        self.assertIs(body["cancel_requested"], True)

    def test_delete_a_finished_job_removes_it(self):
        for finish in ("complete", "cancel"):
            with self.subTest(finish=finish):
                job = self.api.submit(type="t", queue=self.queue)
                if finish == "complete":
                    leased = self.api.lease_one(queues=[self.queue])
                    self.api.complete(job["id"], leased["lease_token"])
                else:
                    self.api.cancel(job["id"])
                status, body, _ = self.api.request("DELETE", f"/jobs/{job['id']}")
                self.assertEqual(status, 204, body)
                assert_error(self, self.api.request("GET", f"/jobs/{job['id']}"), 404, "not_found")
                assert_error(self, self.api.request("DELETE", f"/jobs/{job['id']}"), 404, "not_found")

    def test_retry_a_cancelled_job(self):
        job = self.api.submit(type="t", queue=self.queue)
        self.api.cancel(job["id"])
        retried = self.api.retry(job["id"])
        self.assertEqual(retried["status"], "queued")
        self.assertEqual(retried["attempt"], 0)
        self.assertEqual(self.api.lease_one(queues=[self.queue])["id"], job["id"])

    def test_retry_a_failed_job_resets_attempts_and_keeps_history(self):
        job = self.api.submit(type="t", queue=self.queue)
        leased = self.api.lease_one(queues=[self.queue])
        failed = self.api.fail(job["id"], leased["lease_token"], "disk full", retryable=False)
        self.assertEqual(failed["status"], "failed")
        retried = self.api.retry(job["id"])
        self.assertEqual(retried["status"], "queued")
        self.assertEqual(retried["attempt"], 0)
        self.assertEqual([e["message"] for e in retried["errors"]], ["disk full"])
        again = self.api.lease_one(queues=[self.queue])
        self.assertEqual(again["attempt"], 1)

    def test_retry_of_an_active_or_completed_job_is_409(self):
        queued = self.api.submit(type="t", queue=self.queue)
        assert_error(self, self.api.request("POST", f"/jobs/{queued['id']}/retry"), 409, "conflict")
        self.assertEqual(self.api.status_of(queued["id"]), "queued")
        leased = self.api.lease_one(queues=[self.queue])
        assert_error(self, self.api.request("POST", f"/jobs/{queued['id']}/retry"), 409, "conflict")
        self.assertEqual(self.api.status_of(queued["id"]), "running")
        self.api.complete(leased["id"], leased["lease_token"])
        assert_error(self, self.api.request("POST", f"/jobs/{queued['id']}/retry"), 409, "conflict")
        self.assertEqual(self.api.status_of(queued["id"]), "completed")


class Wait(ServerTestCase):
    def test_wait_returns_when_a_worker_completes_the_job(self):
        job = self.api.submit(type="t", queue=self.queue)
        waiter = self.new_api()
        waiting = run_in_thread(timed, waiter.wait, job["id"], 10000)
        worker = self.new_api()
        leased = worker.lease_one(queues=[self.queue])
        worker.complete(leased["id"], leased["lease_token"], {"answer": 42})
        finished, elapsed = waiting.result(timeout=20)
        self.assertEqual(finished["id"], job["id"])
        self.assertEqual(finished["status"], "completed")
        self.assertEqual(finished["result"], {"answer": 42})
        self.assertLess(elapsed, 5.0, "the wait must end when the job finishes, not at its timeout")

    def test_wait_returns_when_the_job_is_cancelled(self):
        job = self.api.submit(type="t", queue=self.queue)
        waiting = run_in_thread(timed, self.new_api().wait, job["id"], 10000)
        self.api.cancel(job["id"])
        finished, elapsed = waiting.result(timeout=20)
        self.assertEqual(finished["status"], "cancelled")
        self.assertLess(elapsed, 5.0)

    def test_wait_times_out_with_the_job_as_it_is(self):
        job = self.api.submit(type="t", queue=self.queue)
        answer, elapsed = timed(self.api.wait, job["id"], 300)
        self.assertEqual(answer["id"], job["id"])
        self.assertEqual(answer["status"], "queued")
        self.assertGreaterEqual(elapsed, 0.25)
        self.assertLess(elapsed, 5.0)

    def test_wait_on_a_finished_job_answers_at_once(self):
        job = self.api.submit(type="t", queue=self.queue)
        self.api.cancel(job["id"])
        answer, elapsed = timed(self.api.wait, job["id"], 10000)
        self.assertIn(answer["status"], FINISHED)
        self.assertLess(elapsed, 2.0)

    def test_wait_on_an_unknown_job_is_404(self):
        assert_error(self, self.api.request("GET", "/jobs/01890000-0000-7000-8000-000000000000/wait",
                                            params={"timeout_ms": 100}), 404, "not_found")


if __name__ == "__main__":
    unittest.main()
