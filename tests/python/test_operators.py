"""The operators' calls of jobq.Client against a real jobqd: dead letters, queues, limits, webhooks, workers,
purge, stats and the server's own routes, each checked by what the server then does. test_async_client.py runs
these same tests on AsyncClient."""

import unittest
from datetime import datetime, timezone

from support import ClientTestCase, config_file, jobq, unique, wait_until


class OperatorTestCase(ClientTestCase):
    store = "memory"

    def dead_letter(self, type="op", **options):
        """A job failed for good: submitted with one attempt, leased and failed."""
        job = self.client.submit(type, queue=self.queue, max_attempts=1, **options)
        leased = self.client.lease(unique("w"), queues=[self.queue])
        self.assertEqual([j.id for j in leased], [job.id])
        failed = self.client.fail(job.id, leased[0].lease_token, "boom")
        self.assertEqual(failed.status, "failed")
        return failed


class Schedules(OperatorTestCase):
    def test_create_read_change_trigger_pause_resume_delete(self):
        name = unique("nightly")
        created = self.client.create_schedule(name, "0 3 * * *", "report", {"kind": "daily"},
                                              timezone="Europe/Berlin", queue=self.queue,
                                              priority="high", overlap="skip")
        self.assertEqual((created["cron"], created["timezone"], created["overlap"]),
                         ("0 3 * * *", "Europe/Berlin", "skip"))
        self.assertEqual(created["job"], {"type": "report", "queue": self.queue, "priority": 80,
                                          "payload": {"kind": "daily"}})
        self.assertRegex(created["next_run_at"], r"T0[12]:00:00\.000Z$")  # 03:00 in Berlin
        self.assertIn(name, [s["name"] for s in self.client.schedules()])
        self.assertEqual(self.client.schedule(name), created)

        run = self.client.trigger_schedule(name)
        self.assertIsInstance(run, jobq.Job)
        self.assertEqual((run.type, run.queue, run.tags), ("report", self.queue, [f"schedule:{name}"]))
        self.assertTrue(self.client.pause_schedule(name)["paused"])
        self.assertFalse(self.client.resume_schedule(name)["paused"])
        changed = self.client.update_schedule(name, cron="@hourly", misfire="run_all")
        self.assertEqual((changed["cron"], changed["misfire"]), ("@hourly", "run_all"))
        self.assertEqual(self.client.delete_schedule(name)["name"], name)
        with self.assertRaises(jobq.NotFound):
            self.client.schedule(name)

    def test_refusals_name_the_field(self):
        with self.assertRaises(jobq.InvalidArgument) as bad:
            self.client.create_schedule(unique("s"), "61 * * * *", "report")
        self.assertEqual(bad.exception.field, "cron")
        with self.assertRaises(jobq.InvalidArgument) as delayed:
            self.client.create_schedule(unique("s"), "@daily", "report", delay_ms=5)
        self.assertEqual(delayed.exception.field, "job.delay_ms")
        with self.assertRaises(ValueError):
            self.client.create_schedule(unique("s"), "@daily", "")
        with self.assertRaises(ValueError):
            self.client.update_schedule("x")


class DeadLetters(OperatorTestCase):
    def test_the_list_holds_the_failed_jobs_only(self):
        failed = self.dead_letter()
        self.client.submit("op", queue=self.queue)
        page = self.client.dead_letters(queue=self.queue)
        self.assertIsInstance(page, jobq.Page)
        self.assertEqual([j.id for j in page], [failed.id])
        self.assertEqual(page.jobs[0].error.message, "boom")

    def test_the_list_pages_like_list(self):
        ids = [self.dead_letter().id for _ in range(3)]
        first = self.client.dead_letters(queue=self.queue, limit=2, order="asc")
        self.assertEqual([j.id for j in first], ids[:2])
        rest = self.client.dead_letters(queue=self.queue, limit=2, order="asc", cursor=first.next_cursor)
        self.assertEqual([j.id for j in rest], ids[2:])

    def test_retry_one_queues_it_again_and_a_live_job_is_a_conflict(self):
        failed = self.dead_letter()
        again = self.client.retry_dead_letter(failed.id)
        self.assertEqual((again.id, again.status, again.attempt), (failed.id, "queued", 0))
        self.assertEqual(self.client.dead_letters(queue=self.queue).jobs, [])
        with self.assertRaises(jobq.Conflict):
            self.client.retry_dead_letter(failed.id)

    def test_retry_by_filter_takes_only_the_matching_ones(self):
        mine, other = self.dead_letter(tags=["mine"]), self.dead_letter(tags=["other"])
        retried = self.client.retry_dead_letters(queue=self.queue, tag="mine")
        self.assertEqual([j.id for j in retried], [mine.id])
        self.assertEqual(self.client.get(mine.id).status, "queued")
        self.assertEqual(self.client.get(other.id).status, "failed")
        self.assertEqual(self.client.retry_dead_letters(queue=self.queue, type=unique("t")), [])

    def test_purge_removes_every_dead_letter(self):
        failed = [self.dead_letter() for _ in range(2)]
        live = self.client.submit("op", queue=self.queue)
        self.assertGreaterEqual(self.client.purge_dead_letters(), 2)
        for job in failed:
            with self.assertRaises(jobq.NotFound):
                self.client.get(job.id)
        self.assertEqual(self.client.get(live.id).status, "queued")

    def test_bad_filters_are_refused_before_sending(self):
        with self.assertRaises(ValueError):
            self.client.retry_dead_letters(queue="")
        with self.assertRaises(TypeError):
            self.client.dead_letters(status="failed")  # dead letters are failed by definition


class Queues(OperatorTestCase):
    def test_a_paused_queue_takes_submits_but_leases_nothing_until_resumed(self):
        paused = self.client.pause_queue(self.queue)
        self.assertEqual((paused["name"], paused["paused"]), (self.queue, True))
        job = self.client.submit("op", queue=self.queue)
        self.assertEqual(self.client.lease(unique("w"), queues=[self.queue]), [])
        listed = {q["name"]: q for q in self.client.queues()}
        self.assertTrue(listed[self.queue]["paused"])
        self.assertEqual(listed[self.queue]["counts"]["queued"], 1)
        resumed = self.client.resume_queue(self.queue)
        self.assertEqual(resumed["paused"], False)
        self.assertEqual([j.id for j in self.client.lease(unique("w"), queues=[self.queue])], [job.id])

    def test_an_empty_queue_shows_only_while_paused(self):
        self.assertNotIn(self.queue, [q["name"] for q in self.client.queues()])
        self.client.pause_queue(self.queue)
        self.assertIn(self.queue, [q["name"] for q in self.client.queues()])
        self.client.resume_queue(self.queue)
        self.assertNotIn(self.queue, [q["name"] for q in self.client.queues()])

    def test_a_name_the_api_would_refuse_is_refused_before_sending(self):
        for bad in ("", "a/b", "a b", "x" * 129, None):
            with self.subTest(name=bad), self.assertRaises(ValueError):
                self.client.pause_queue(bad)
        with self.assertRaises(ValueError):
            self.client.stats("a/b")


class Limits(OperatorTestCase):
    def test_set_read_list_and_clear_the_limits_of_a_queue(self):
        self.assertEqual(self.client.queue_limits(self.queue),
                         {"scope": "queue", "name": self.queue, "max_running": 0, "starts": None})
        set_ = self.client.set_queue_limits(self.queue, max_running=5, starts=(10, 60_000))
        self.assertEqual(set_, {"scope": "queue", "name": self.queue, "max_running": 5,
                                "starts": {"count": 10, "period_ms": 60_000}})
        self.assertEqual(self.client.queue_limits(self.queue), set_)
        self.assertIn(set_, self.client.limits())
        # A queue with limits is listed with them, even with no jobs.
        listed = {q["name"]: q for q in self.client.queues()}
        self.assertEqual(listed[self.queue]["limits"], {"max_running": 5, "starts": {"count": 10, "period_ms": 60_000}})
        # A set replaces the whole setting: the part not given is removed. starts as answered is taken too.
        only_rate = self.client.set_queue_limits(self.queue, starts=set_["starts"])
        self.assertEqual((only_rate["max_running"], only_rate["starts"]), (0, {"count": 10, "period_ms": 60_000}))
        cleared = self.client.clear_queue_limits(self.queue)
        self.assertEqual((cleared["max_running"], cleared["starts"]), (0, None))
        self.assertNotIn(self.queue, [s["name"] for s in self.client.limits()])
        self.assertNotIn(self.queue, [q["name"] for q in self.client.queues()])

    def test_a_type_cap_holds_back_jobs_beyond_it_in_every_queue(self):
        type_ = unique("capped")
        setting = self.client.set_type_limits(type_, max_running=1)
        self.assertEqual(setting, {"scope": "type", "name": type_, "max_running": 1, "starts": None})
        self.assertEqual(self.client.type_limits(type_), setting)
        other = unique("q")
        self.client.submit(type_, queue=self.queue)
        self.client.submit(type_, queue=other)
        both = [self.queue, other]
        self.assertEqual(len(self.client.lease(unique("w"), queues=both, types=[type_], max_jobs=2)), 1)
        self.assertEqual(self.client.lease(unique("w"), queues=both, types=[type_]), [])
        self.assertEqual(self.client.clear_type_limits(type_)["max_running"], 0)
        self.assertEqual(len(self.client.lease(unique("w"), queues=both, types=[type_])), 1)

    def test_a_start_rate_lets_a_burst_through_then_holds_back(self):
        self.client.set_queue_limits(self.queue, starts={"count": 2, "period_ms": 3_600_000})
        for _ in range(3):
            self.client.submit("op", queue=self.queue)
        self.assertEqual(len(self.client.lease(unique("w"), queues=[self.queue], max_jobs=3)), 2)
        self.assertEqual(self.client.lease(unique("w"), queues=[self.queue]), [])
        self.client.clear_queue_limits(self.queue)

    def test_values_the_api_would_refuse_are_refused_before_sending(self):
        for kw in ({"max_running": -1}, {"max_running": 1.5}, {"max_running": True},
                   {"max_running": 1_000_000_001}, {"starts": (0, 1000)}, {"starts": (5, 0)},
                   {"starts": (5,)}, {"starts": [5, 1000]}, {"starts": {"count": 5}},
                   {"starts": (1_000_001, 1000)}, {"starts": (5, 32 * 86_400_000)}):
            with self.subTest(**kw), self.assertRaises(ValueError):
                self.client.set_queue_limits(self.queue, **kw)
        for bad in ("", "a/b", "a b", None):
            with self.subTest(name=bad), self.assertRaises(ValueError):
                self.client.set_type_limits(bad, max_running=1)
            with self.subTest(name=bad), self.assertRaises(ValueError):
                self.client.queue_limits(bad)
        self.assertEqual(self.client.queue_limits(self.queue)["max_running"], 0)


WEBHOOK_CONFIG = """webhook_secret = "py-secret"
webhook_max_attempts = 4
webhook_retain_dead_ms = 86400000

[[webhooks]]
url = "http://example.com/hook"
queue = "py-hooked"
events = ["job.failed", "job.cancelled"]
"""
REFUSED_URL = "http://127.0.0.1:9/x"  # loopback, not in webhook_allow: refused and dead at its first attempt


class Webhooks(OperatorTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server_args = ("--config", config_file(cls, WEBHOOK_CONFIG))
        super().setUpClass()

    def dead_delivery(self):
        """A job cancelled with a callback_url the sender refuses: -> (its delivery, dead, the job)."""
        job = self.client.submit("hooked", queue=self.queue, callback_url=REFUSED_URL)
        self.client.cancel(job.id)

        def dead():
            page = self.client.webhook_deliveries(job_id=job.id)
            return page.deliveries if page.deliveries and page.deliveries[0].status == "dead" else None

        delivery, = wait_until(dead, timeout=20, message="the delivery dead-lettered")
        return delivery, job

    def test_the_settings_name_the_hooks_but_not_the_secret(self):
        settings = self.client.webhooks()
        self.assertEqual(settings, {"enabled": True, "max_attempts": 4, "dead_retention_ms": 86_400_000,
                                    "hooks": [{"url": "http://example.com/hook", "queue": "py-hooked", "type": None,
                                               "events": ["job.failed", "job.cancelled"]}]})
        self.assertNotIn("py-secret", repr(settings))

    def test_a_refused_callback_is_dead_typed_and_read_with_its_body(self):
        delivery, job = self.dead_delivery()
        self.assertIsInstance(delivery, jobq.WebhookDelivery)
        self.assertEqual((delivery.job_id, delivery.url, delivery.event, delivery.status, delivery.attempts),
                         (job.id, REFUSED_URL, "job.cancelled", "dead", 1))
        self.assertIn("loopback", delivery.last_error)
        self.assertIsNone(delivery.last_status)
        self.assertIsNone(delivery.next_at, "a dead delivery is due at no time")
        self.assertFalse(delivery.claimed)
        self.assertIsNone(delivery.body, "a listing carries no bodies")
        self.assertIsInstance(delivery.created_at, datetime)
        self.assertEqual(delivery.created_at.tzinfo, timezone.utc)
        self.assertLessEqual(delivery.created_at, delivery.updated_at)

        read = self.client.webhook_delivery(delivery.id)
        self.assertEqual((read.id, read.status, read.created_at), (delivery.id, "dead", delivery.created_at))
        self.assertEqual(read.body["id"], delivery.id)
        self.assertEqual(read.body["event"], "job.cancelled")
        self.assertEqual((read.body["job"]["id"], read.body["job"]["status"]), (job.id, "cancelled"))

    def test_the_list_filters_by_status_and_job_and_pages(self):
        made = [self.dead_delivery()[0] for _ in range(3)]
        ids = [d.id for d in made]
        dead = self.client.webhook_deliveries(status="dead")
        self.assertIsInstance(dead, jobq.WebhookDeliveryPage)
        self.assertTrue(set(ids) <= {d.id for d in dead})
        self.assertTrue(all(d.status == "dead" for d in dead))
        self.assertFalse(set(ids) & {d.id for d in self.client.webhook_deliveries(status="pending")})
        self.assertEqual([d.id for d in self.client.webhook_deliveries(job_id=made[1].job_id)], [ids[1]])
        # Newest first, page after page.
        seen, cursor = [], None
        while True:
            page = self.client.webhook_deliveries(status="dead", limit=2, cursor=cursor)
            self.assertLessEqual(len(page), 2)
            seen += [d.id for d in page]
            cursor = page.next_cursor
            if not cursor:
                break
        self.assertEqual([i for i in seen if i in ids], ids[::-1])
        self.assertEqual(len(seen), len(set(seen)), "no delivery on two pages")

    def test_retry_makes_a_dead_one_pending_and_a_pending_one_is_a_conflict(self):
        delivery, _ = self.dead_delivery()
        again = self.client.retry_webhook_delivery(delivery.id)
        self.assertEqual((again.id, again.status, again.attempts), (delivery.id, "pending", 0))
        self.assertIsNotNone(again.next_at)
        with self.assertRaises(jobq.Conflict):
            self.client.retry_webhook_delivery(delivery.id)
        # The sender refuses it again at once.
        wait_until(lambda: self.client.webhook_delivery(delivery.id).status == "dead", timeout=20,
                   message="the retried delivery dead again")

    def test_delete_drops_it(self):
        delivery, job = self.dead_delivery()
        removed = self.client.delete_webhook_delivery(delivery.id)
        self.assertEqual((removed.id, removed.status), (delivery.id, "dead"))
        with self.assertRaises(jobq.NotFound):
            self.client.webhook_delivery(delivery.id)
        with self.assertRaises(jobq.NotFound):
            self.client.delete_webhook_delivery(delivery.id)
        self.assertEqual(len(self.client.webhook_deliveries(job_id=job.id)), 0)

    def test_arguments_the_api_would_refuse_are_refused_before_sending(self):
        for kw in ({"status": "delivered"}, {"status": ""}, {"limit": 0}, {"limit": 1001}, {"limit": True},
                   {"limit": 2.5}, {"job_id": ""}, {"job_id": 5}, {"cursor": ""}):
            with self.subTest(**kw), self.assertRaises(ValueError):
                self.client.webhook_deliveries(**kw)
        for bad in ("", None):
            with self.subTest(id=bad), self.assertRaises(ValueError):
                self.client.webhook_delivery(bad)
            with self.subTest(id=bad), self.assertRaises(ValueError):
                self.client.retry_webhook_delivery(bad)
        with self.assertRaises(jobq.NotFound):
            self.client.webhook_delivery("no-such-delivery")


class WebhooksOff(OperatorTestCase):
    def test_a_server_without_a_secret_says_they_are_off_and_has_no_deliveries(self):
        settings = self.client.webhooks()
        self.assertFalse(settings["enabled"])
        self.assertEqual(settings["hooks"], [])
        page = self.client.webhook_deliveries()
        self.assertEqual((page.deliveries, page.next_cursor), ([], None))


class Workers(OperatorTestCase):
    def beating(self):
        worker_id = unique("w")
        self.assertEqual(self.client.beat(worker_id, queues=[self.queue], concurrency=2)["command"], "run")
        return worker_id

    def entry(self, worker_id):
        return next(w for w in self.client.workers() if w["id"] == worker_id)

    def test_the_list_shows_a_beating_worker(self):
        worker_id = self.beating()
        entry = self.entry(worker_id)
        self.assertEqual((entry["queues"], entry["concurrency"], entry["state"]), ([self.queue], 2, "active"))

    def test_scale_is_the_next_beats_concurrency(self):
        worker_id = self.beating()
        self.assertEqual(self.client.scale_worker(worker_id, 5)["concurrency"], 5)
        self.assertEqual(self.client.beat(worker_id, concurrency=2), {"command": "run", "concurrency": 5})

    def test_quiet_then_stop_and_a_stop_is_not_undone(self):
        worker_id = self.beating()
        self.assertEqual(self.client.quiet_worker(worker_id)["id"], worker_id)
        self.assertEqual(self.client.beat(worker_id)["command"], "quiet")
        self.client.stop_worker(worker_id)
        self.assertEqual(self.client.beat(worker_id)["command"], "stop")
        self.client.quiet_worker(worker_id)
        self.assertEqual(self.client.beat(worker_id)["command"], "stop")
        self.assertEqual(self.entry(worker_id)["state"], "stopping")

    def test_an_unknown_worker_is_not_found_and_a_bad_concurrency_is_refused(self):
        for call in (lambda: self.client.scale_worker(unique("nobody"), 3),
                     lambda: self.client.quiet_worker(unique("nobody")),
                     lambda: self.client.stop_worker(unique("nobody"))):
            with self.subTest(call=call), self.assertRaises(jobq.NotFound):
                call()
        worker_id = self.beating()
        for bad in (0, 10_001, 2.5, True, "3"):
            with self.subTest(concurrency=bad), self.assertRaises(ValueError):
                self.client.scale_worker(worker_id, bad)
        self.assertEqual(self.entry(worker_id)["concurrency"], 2)


class Purge(OperatorTestCase):
    def finished(self):
        job = self.client.submit("op", queue=self.queue)
        token = self.client.lease(unique("w"), queues=[self.queue])[0].lease_token
        return self.client.complete(job.id, token)

    def test_purge_removes_finished_jobs_of_the_statuses_and_age_given(self):
        done = self.finished()
        cancelled = self.client.cancel(self.client.submit("op", queue=self.queue).id)
        failed = self.dead_letter()
        live = self.client.submit("op", queue=self.queue)
        self.assertEqual(self.client.purge(older_than_s=3600), 0)  # this class's memory: store is young
        self.assertEqual(self.client.get(done.id).status, "completed")
        self.assertGreaterEqual(self.client.purge(statuses="completed"), 1)  # one name, not its letters
        with self.assertRaises(jobq.NotFound):
            self.client.get(done.id)
        self.assertEqual(self.client.get(cancelled.id).status, "cancelled")
        self.assertGreaterEqual(self.client.purge(), 1)  # the default: completed and cancelled
        with self.assertRaises(jobq.NotFound):
            self.client.get(cancelled.id)
        self.assertEqual(self.client.get(failed.id).status, "failed")
        self.assertEqual(self.client.get(live.id).status, "queued")

    def test_bad_arguments_are_refused_before_sending(self):
        for kw in ({"statuses": ["queued"]}, {"statuses": ["completed", ""]}, {"older_than_s": -1},
                   {"older_than_s": 1.5}, {"older_than_s": True}):
            with self.subTest(**kw), self.assertRaises(ValueError):
                self.client.purge(**kw)


class Stats(OperatorTestCase):
    def test_stats_of_all_and_of_one_type(self):
        type = unique("t")
        self.client.submit(type, queue=self.queue)
        everything = self.client.stats()
        self.assertIn(self.queue, everything["queues"])
        self.assertIn(type, [t["type"] for t in everything["types"]])
        one = self.client.stats(type)
        self.assertEqual((one["type"], one["counts"]["queued"]), (type, 1))
        with self.assertRaises(jobq.NotFound):
            self.client.stats(unique("never"))

    def test_throughput_counts_a_finished_attempt(self):
        job = self.client.submit("op", queue=self.queue)
        self.client.complete(job.id, self.client.lease(unique("w"), queues=[self.queue])[0].lease_token)
        seconds = self.client.throughput()
        self.assertEqual(seconds["window_s"], 900)
        self.assertGreaterEqual(sum(s[1] for s in seconds["seconds"]), 1)

    def test_the_servers_own_routes(self):
        self.assertEqual(self.client.health(), {"status": "ok"})
        self.assertEqual(self.client.ready(), {"status": "ready"})
        self.assertIn("jobq_workers_alive", self.client.metrics())
        self.assertIn("/jobs", self.client.openapi()["paths"])
        self.assertEqual(self.client.whoami(), {"role": "admin", "keys": False})


class Roles(OperatorTestCase):
    server_args = ("--api-keys", "ak:admin,pk:producer")
    server_key = "ak"

    def test_a_producer_may_not_operate(self):
        producer = self.new_client(api_key="pk")
        self.assertEqual(producer.whoami(), {"role": "producer", "keys": True})
        for call in (producer.purge_dead_letters, lambda: producer.pause_queue(self.queue), producer.purge):
            with self.subTest(call=call), self.assertRaises(jobq.Forbidden):
                call()
        self.assertEqual(self.client.pause_queue(self.queue)["paused"], True)

    def test_a_producer_may_read_limits_but_not_set_them(self):
        producer = self.new_client(api_key="pk")
        self.assertEqual(producer.queue_limits(self.queue)["max_running"], 0)
        for call in (lambda: producer.set_queue_limits(self.queue, max_running=1),
                     lambda: producer.clear_type_limits("op")):
            with self.subTest(call=call), self.assertRaises(jobq.Forbidden):
                call()


    def test_a_producer_may_read_webhooks_but_not_retry_or_delete_a_delivery(self):
        producer = self.new_client(api_key="pk")
        self.assertFalse(producer.webhooks()["enabled"])
        self.assertEqual(len(producer.webhook_deliveries()), 0)
        for call in (lambda: producer.retry_webhook_delivery("d1"), lambda: producer.delete_webhook_delivery("d1")):
            with self.subTest(call=call), self.assertRaises(jobq.Forbidden):
                call()


if __name__ == "__main__":
    unittest.main()
