"""jobq.Client against a real jobqd: the producer's calls, wait and watch, typed errors, keep-alive."""

import os
import threading
import time
import unittest
from unittest import mock

from support import ClientTestCase, free_port, jobq, unique, wait_until


class Producing(ClientTestCase):
    def test_submit_then_get_shows_the_same_job(self):
        job = self.client.submit("send_email", {"to": "a@example.com"}, queue=self.queue,
                                 priority="high", tags=["t1"], max_attempts=5)
        self.assertIsInstance(job, jobq.Job)
        self.assertEqual(job.status, "queued")
        self.assertEqual((job.type, job.queue, job.priority, job.max_attempts), ("send_email", self.queue, 80, 5))
        got = self.client.get(job.id)
        self.assertEqual(got.id, job.id)
        self.assertEqual(got["payload"], {"to": "a@example.com"})
        self.assertEqual(got.tags, ["t1"])

    def test_submit_many_keeps_the_order(self):
        jobs = self.client.submit_many([{"type": "a", "queue": self.queue, "payload": i} for i in range(5)])
        self.assertEqual([j.payload for j in jobs], list(range(5)))
        self.assertEqual(len({j.id for j in jobs}), 5)

    def test_list_filters_and_walks_pages_by_cursor(self):
        ids = [j.id for j in self.client.submit_many([{"type": "a", "queue": self.queue} for _ in range(5)])]
        self.client.submit("b", queue=self.queue)
        page = self.client.list(queue=self.queue, type="a", limit=2, order="asc")
        self.assertIsInstance(page, jobq.Page)
        self.assertEqual([j.id for j in page.jobs], ids[:2])
        self.assertIsNotNone(page.next_cursor)
        walked = list(self.client.iter_jobs(page_size=2, queue=self.queue, type="a", order="asc"))
        self.assertEqual([j.id for j in walked], ids)
        self.client.cancel(ids[0])
        both = self.client.list(queue=self.queue, status=["cancelled", "queued"], limit=100)
        self.assertEqual(len(both.jobs), 6)
        cancelled = self.client.list(queue=self.queue, status="cancelled")
        self.assertEqual([j.id for j in cancelled], [ids[0]])

    def test_cancel_then_retry(self):
        job = self.client.submit("a", queue=self.queue)
        self.assertEqual(self.client.cancel(job.id).status, "cancelled")
        again = self.client.retry(job.id)
        self.assertEqual(again.status, "queued")
        self.assertEqual(again.attempt, 0)

    def test_update_changes_priority(self):
        job = self.client.submit("a", queue=self.queue)
        self.assertEqual(self.client.update(job.id, priority=99).priority, 99)

    def test_delete_removes_a_finished_job(self):
        job = self.client.submit("a", queue=self.queue)
        self.client.cancel(job.id)
        self.assertIsNone(self.client.delete(job.id))
        with self.assertRaises(jobq.NotFound):
            self.client.get(job.id)


class WorkerCalls(ClientTestCase):
    def test_lease_progress_complete(self):
        job = self.client.submit("w", queue=self.queue)
        leased = self.client.lease("w1", queues=[self.queue], wait_ms=1000)
        self.assertEqual([j.id for j in leased], [job.id])
        token = leased[0].lease_token
        beat = self.client.progress(job.id, token, progress=40, stage="s1")
        self.assertEqual((beat["cancel_requested"], beat["soft_timeout_passed"]), (False, False))
        self.assertEqual(self.client.get(job.id).progress, 40)
        done = self.client.complete(job.id, token, {"n": 1})
        self.assertEqual((done.status, done.result), ("completed", {"n": 1}))

    def test_fail_with_a_traceback_dead_letters_the_last_attempt(self):
        job = self.client.submit("w", queue=self.queue, max_attempts=1)
        token = self.client.lease("w1", queues=[self.queue])[0].lease_token
        failed = self.client.fail(job.id, token, "boom", traceback="Traceback: here")
        self.assertEqual(failed.status, "failed")
        self.assertEqual(failed.error["traceback"], "Traceback: here")

    def test_ack_completes_many(self):
        self.client.submit_many([{"type": "w", "queue": self.queue} for _ in range(3)])
        leased = self.client.lease("w1", queues=[self.queue], max_jobs=3)
        results = self.client.ack(complete=[{"id": j.id, "lease_token": j.lease_token} for j in leased])
        self.assertEqual([r["ok"] for r in results], [True] * 3)

    def test_heartbeat_renews_and_release_gives_the_job_back_uncounted(self):
        job = self.client.submit("w", queue=self.queue)
        leased = self.client.lease("w1", queues=self.queue, lease_ms=5000)[0]  # one name, not its letters
        # A renewal is now + lease_ms: within the lease's own millisecond it moves nothing, so
        # beat until the clock has moved on (bounded), then the expiry must have moved with it.
        deadline = time.monotonic() + 5
        while True:
            beat = self.client.heartbeat(job.id, leased.lease_token, stage="s")
            renewed = jobq.job.parse_time(beat["lease_expires_at"])
            self.assertGreaterEqual(renewed, leased.lease_expires_at)
            if renewed > leased.lease_expires_at:
                break
            self.assertLess(time.monotonic(), deadline, "no heartbeat moved the lease's expiry")
        self.assertEqual((beat["cancel_requested"], beat["soft_timeout_passed"]), (False, False))
        self.assertEqual(self.client.get(job.id).stage, "s")
        back = self.client.release(job.id, leased.lease_token)
        self.assertEqual((back.status, back.attempt), ("queued", 0))

    def test_heartbeats_renew_many_and_name_a_stale_one(self):
        self.client.submit_many([{"type": "w", "queue": self.queue} for _ in range(2)])
        a, b = self.client.lease("w1", queues=[self.queue], max_jobs=2)
        results = self.client.heartbeats([{"id": a.id, "lease_token": a.lease_token, "progress": 10},
                                          {"id": b.id, "lease_token": "stale"}])
        self.assertEqual([(r["id"], r["ok"]) for r in results], [(a.id, True), (b.id, False)])
        self.assertEqual(results[1]["error"]["code"], "conflict")
        self.assertEqual(self.client.get(a.id).progress, 10)

    def test_ack_and_lease_reports_and_leases_in_one_call(self):
        ids = self.client.submit_many([{"type": "w", "queue": self.queue} for _ in range(3)], ids_only=True)
        self.assertTrue(all(isinstance(i, str) for i in ids))
        first = self.client.lease("w1", queues=[self.queue])[0]
        results, jobs, lease_error = self.client.ack_and_lease(
            "w1", complete=[{"id": first.id, "lease_token": first.lease_token, "result": 1}],
            queues=[self.queue], max_jobs=2)
        self.assertEqual(([r["ok"] for r in results], lease_error), ([True], None))
        self.assertNotIn("job", results[0])
        self.assertEqual(sorted(j.id for j in jobs), sorted(ids[1:]))
        self.assertTrue(all(j.lease_token for j in jobs))
        acked = self.client.ack(fail=[{"id": j.id, "lease_token": j.lease_token, "error": "x", "retryable": False}
                                      for j in jobs], ids_only=True)
        self.assertEqual([r["ok"] for r in acked], [True, True])
        self.assertEqual([self.client.get(i).status for i in ids], ["completed", "failed", "failed"])

    def test_beat_answers_a_command(self):
        reply = self.client.beat(unique("w"), types=["w"], concurrency=3)
        self.assertEqual(reply, {"command": "run", "concurrency": 3})


class WaitAndWatch(ClientTestCase):
    def test_wait_returns_the_finished_job(self):
        job = self.client.submit("w", queue=self.queue)
        waiting = {}
        t = threading.Thread(target=lambda: waiting.update(job=self.new_client().wait(job.id, timeout=20)))
        t.start()
        worker = self.new_client()
        token = worker.lease("w1", queues=[self.queue], wait_ms=5000)[0].lease_token
        worker.complete(job.id, token, {"ok": True})
        t.join(25)
        self.assertEqual(waiting["job"].status, "completed")
        self.assertEqual(waiting["job"].result, {"ok": True})

    def test_wait_gives_the_job_as_it_is_when_time_is_up(self):
        job = self.client.submit("w", queue=self.queue)
        self.assertEqual(self.client.wait(job.id, timeout=0.2).status, "queued")

    def test_watch_yields_the_life_of_a_job_and_ends(self):
        job = self.client.submit("w", queue=self.queue)
        seen, t = self.watch_in_thread(job.id)
        token = self.client.lease("w1", queues=[self.queue])[0].lease_token
        self.client.progress(job.id, token, progress=50, progress_message="half")
        wait_until(lambda: any(e == "progress" for e, _ in seen), 10, message="the progress event")
        self.client.complete(job.id, token, {"r": 1})
        t.join(10)
        self.assertFalse(t.is_alive(), "watch() did not end after the job completed")
        names = [e for e, _ in seen]
        self.assertEqual(names[0], "snapshot")
        self.assertEqual(seen[0][1].status, "queued")
        self.assertIn("started", names)
        progress = [j for e, j in seen if e == "progress"]
        self.assertEqual((progress[0].progress, progress[0].progress_message), (50, "half"))
        self.assertEqual(names[-1], "completed")
        self.assertEqual(seen[-1][1].result, {"r": 1})

    def test_watch_of_a_finished_job_yields_its_snapshot_only(self):
        job = self.client.submit("w", queue=self.queue)
        self.client.cancel(job.id)
        events = list(self.client.watch(job.id))
        self.assertEqual([(e, j.status) for e, j in events], [("snapshot", "cancelled")])

    def test_events_filters_by_queue(self):
        stream = self.client.events(queue=self.queue, event="submitted", timeout=10)
        other = self.client.submit("w", queue=unique("other"))
        job = self.client.submit("w", queue=self.queue)
        event, seen = next(stream)
        stream.close()
        self.assertEqual((event, seen.id), ("submitted", job.id))
        self.assertNotEqual(seen.id, other.id)


class Errors(ClientTestCase):
    def test_bad_input_is_invalid_argument_naming_the_field(self):
        with self.assertRaises(jobq.InvalidArgument) as caught:
            self.client.submit("a", queue=self.queue, priority=500)
        e = caught.exception
        self.assertEqual((e.status, e.code, e.field), (400, "invalid_argument", "priority"))
        self.assertIsInstance(e, jobq.JobqError)
        with self.assertRaises(jobq.InvalidArgument) as caught:
            self.client.submit("a", queue=self.queue, colour="red")
        self.assertEqual(caught.exception.field, "colour")
        with self.assertRaises(jobq.InvalidArgument) as caught:
            self.client.list(limit=0)
        self.assertEqual(caught.exception.field, "limit")

    def test_unknown_ids_are_not_found(self):
        for call in (self.client.get, self.client.cancel, self.client.retry, lambda i: self.client.wait(i, 1),
                     lambda i: list(self.client.watch(i))):
            with self.subTest(call=call), self.assertRaises(jobq.NotFound) as caught:
                call("0190b6f2-0000-7000-8000-000000000000")
            self.assertEqual((caught.exception.status, caught.exception.code), (404, "not_found"))

    def test_a_stale_token_is_a_conflict(self):
        job = self.client.submit("a", queue=self.queue)
        self.client.lease("w1", queues=[self.queue])
        with self.assertRaises(jobq.Conflict) as caught:
            self.client.complete(job.id, "not-the-token")
        self.assertEqual(caught.exception.status, 409)
        self.assertEqual(self.client.get(job.id).status, "running")

    def test_a_forbidden_transition_is_a_conflict(self):
        job = self.client.submit("a", queue=self.queue)
        with self.assertRaises(jobq.Conflict) as caught:
            self.client.retry(job.id)
        self.assertIn("queued", caught.exception.message)
        self.assertEqual(self.client.get(job.id).status, "queued")

    def test_an_unreachable_server_is_connection_failed(self):
        client = self.new_client(url=f"http://127.0.0.1:{free_port()}")
        with self.assertRaises(jobq.ConnectionFailed) as caught:
            client.get("x")
        self.assertIsNone(caught.exception.status)
        self.assertIsInstance(caught.exception, jobq.JobqError)

    def test_a_payload_that_is_not_json_is_refused_before_sending(self):
        with self.assertRaises(ValueError):
            self.client.submit("a", float("nan"), queue=self.queue)
        with self.assertRaises(TypeError):
            self.client.submit("a", {"when": object()}, queue=self.queue)
        self.assertEqual(self.client.list(queue=self.queue).jobs, [])

    def test_a_bad_url_is_refused_at_once(self):
        with self.assertRaises(ValueError):
            jobq.Client(url="127.0.0.1:8080")


class KeepAlive(ClientTestCase):
    def test_calls_one_after_another_share_one_connection(self):
        self.client.submit("a", queue=self.queue)
        idle = self.client._http.idle_connections()
        self.assertEqual(len(idle), 1)
        sock = idle[0].sock
        self.assertIsNotNone(sock)
        for _ in range(5):
            self.client.list(queue=self.queue)
        self.assertEqual([c.sock for c in self.client._http.idle_connections()], [sock])

    def test_threads_share_a_bounded_pool(self):
        def calls():
            for _ in range(3):
                self.client.list(queue=self.queue)

        threads = [threading.Thread(target=calls) for _ in range(30)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        idle = self.client._http.idle_connections()
        self.assertGreaterEqual(len(idle), 1)
        self.assertLessEqual(len(idle), self.client._http.MAX_IDLE)
        self.client.close()
        self.assertEqual(self.client._http.idle_connections(), [])


class Auth(ClientTestCase):
    server_args = ("--api-keys", "pk:producer,wk:worker,vk:viewer")
    server_key = "pk"

    def test_a_key_is_sent_as_bearer(self):
        job = self.client.submit("a", queue=self.queue)
        self.assertEqual(self.new_client(api_key="vk").get(job.id).id, job.id)

    def test_no_key_is_unauthorized_and_a_wrong_role_is_forbidden(self):
        with self.assertRaises(jobq.Unauthorized) as caught:
            self.new_client(api_key="").list()
        self.assertEqual(caught.exception.status, 401)
        with self.assertRaises(jobq.Unauthorized):
            self.new_client(api_key="nope").list()
        with self.assertRaises(jobq.Forbidden) as caught:
            self.new_client(api_key="vk").submit("a", queue=self.queue)
        self.assertEqual((caught.exception.status, caught.exception.code), (403, "forbidden"))

    def test_url_and_key_come_from_the_environment(self):
        env = {"JOBQ_URL": f"http://127.0.0.1:{self.server.port}", "JOBQ_API_KEY": "pk"}
        with mock.patch.dict(os.environ, env):
            client = jobq.Client()
        self.addCleanup(client.close)
        self.assertEqual(client.submit("a", queue=self.queue).status, "queued")


if __name__ == "__main__":
    unittest.main()
