"""Workers: lease (long-poll), priority order, delays, heartbeats and progress, complete, fail,
ack, lost leases and cancellation, against a real jobqd."""

import time
import unittest
from datetime import datetime

from jobqd import (MIN_LEASE_MS, SWEEP_SLACK_S, ServerTestCase, assert_error, run_in_thread, timed,
                   unique, wait_until)

# Retries without waiting: a failed attempt is leasable again at once.
NO_BACKOFF = {"initial_ms": 0, "factor": 1, "max_ms": 0, "jitter": False}


def at(text):
    """An API time (RFC 3339, UTC) as a datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class Lease(ServerTestCase):
    def test_lease_hands_out_the_job_with_a_token(self):
        job = self.api.submit(type="t", queue=self.queue, payload={"k": "v"})
        jobs = self.api.lease("w1", queues=[self.queue])
        self.assertEqual(len(jobs), 1)
        leased = jobs[0]
        self.assertEqual(leased["id"], job["id"])
        self.assertEqual(leased["status"], "running")
        self.assertEqual(leased["worker_id"], "w1")
        self.assertEqual(leased["attempt"], 1)
        self.assertEqual(leased["payload"], {"k": "v"})
        self.assertIsInstance(leased["lease_token"], str)
        self.assertTrue(leased["lease_token"])
        self.assertTrue(leased["lease_expires_at"])
        self.assertTrue(leased["started_at"])
        stored = self.api.get(job["id"])
        self.assertEqual(stored["status"], "running")
        self.assertEqual(stored["worker_id"], "w1")
        self.assertFalse(stored.get("lease_token"), "GET must not reveal the lease token")

    def test_lease_on_an_empty_queue_answers_an_empty_list(self):
        jobs, elapsed = timed(self.api.lease, "w1", queues=[self.queue])
        self.assertEqual(jobs, [])
        self.assertLess(elapsed, 2.0)

    def test_long_poll_that_sees_nothing_answers_empty_after_wait_ms(self):
        jobs, elapsed = timed(self.api.lease, "w1", queues=[self.queue], wait_ms=300)
        self.assertEqual(jobs, [])
        self.assertGreaterEqual(elapsed, 0.25)
        self.assertLess(elapsed, 5.0)

    def test_default_lease_is_the_default_queue(self):
        queue_job = self.api.submit(type="t", queue=self.queue)
        default_job = self.api.submit(type=unique("only-here"))
        leased = self.api.lease("w1", types=[default_job["type"]])
        self.assertEqual([j["id"] for j in leased], [default_job["id"]])
        self.assertEqual(self.api.status_of(queue_job["id"]), "queued")
        self.api.complete(leased[0]["id"], leased[0]["lease_token"])

    def test_types_filter(self):
        a = self.api.submit(type="alpha", queue=self.queue)
        b = self.api.submit(type="beta", queue=self.queue)
        leased = self.api.lease("w1", queues=[self.queue], types=["beta"], max_jobs=10)
        self.assertEqual([j["id"] for j in leased], [b["id"]])
        self.assertEqual(self.api.status_of(a["id"]), "queued")

    def test_several_queues(self):
        other = unique("q")
        a = self.api.submit(type="t", queue=self.queue)
        b = self.api.submit(type="t", queue=other)
        leased = self.api.lease("w1", queues=[self.queue, other], max_jobs=10)
        self.assertEqual({j["id"] for j in leased}, {a["id"], b["id"]})

    def test_max_jobs(self):
        ids = [self.api.submit(type="t", queue=self.queue)["id"] for _ in range(5)]
        first = self.api.lease("w1", queues=[self.queue], max_jobs=3)
        self.assertEqual([j["id"] for j in first], ids[:3])
        self.assertEqual(len({j["lease_token"] for j in first}), 3)
        second = self.api.lease("w1", queues=[self.queue], max_jobs=3)
        self.assertEqual([j["id"] for j in second], ids[3:])
        self.assertEqual(self.api.lease("w1", queues=[self.queue], max_jobs=3), [])

    def test_a_job_is_leased_once(self):
        self.api.submit(type="t", queue=self.queue)
        self.assertEqual(len(self.api.lease("w1", queues=[self.queue])), 1)
        self.assertEqual(self.api.lease("w2", queues=[self.queue]), [])

    def test_priority_order_higher_first_fifo_within_a_priority(self):
        low = self.api.submit(type="t", queue=self.queue, priority="low")
        normal1 = self.api.submit(type="t", queue=self.queue)
        high1 = self.api.submit(type="t", queue=self.queue, priority="high")
        normal2 = self.api.submit(type="t", queue=self.queue, priority=50)
        critical = self.api.submit(type="t", queue=self.queue, priority="critical")
        high2 = self.api.submit(type="t", queue=self.queue, priority=80)
        expected = [critical, high1, high2, normal1, normal2, low]
        got = [self.api.lease_one("w1", queues=[self.queue])["id"] for _ in expected]
        self.assertEqual(got, [j["id"] for j in expected])

    def test_one_lease_of_many_jobs_is_in_priority_order(self):
        specs = [{"type": "t", "queue": self.queue, "priority": p} for p in (10, 90, 50, 90, 30)]
        ids = [j["id"] for j in self.api.submit_batch(specs)]
        leased = self.api.lease("w1", queues=[self.queue], max_jobs=5)
        self.assertEqual([j["id"] for j in leased], [ids[1], ids[3], ids[2], ids[4], ids[0]])


class LongPoll(ServerTestCase):
    def test_a_submit_wakes_a_long_polling_worker(self):
        worker = self.new_api()
        polling = run_in_thread(timed, worker.lease, "w1", queues=[self.queue], wait_ms=5000)
        job = self.api.submit(type="t", queue=self.queue)
        submitted_at = time.monotonic()
        jobs, elapsed = polling.result(timeout=20)
        answered_after_submit = time.monotonic() - submitted_at
        self.assertEqual([j["id"] for j in jobs], [job["id"]])
        self.assertTrue(jobs[0]["lease_token"])
        self.assertLess(answered_after_submit, 1.0, "the waiting lease must be served by the submit")
        self.assertLess(elapsed, 2.5, "well before wait_ms")

    def test_a_submit_to_another_queue_does_not_wake_the_worker(self):
        worker = self.new_api()
        polling = run_in_thread(timed, worker.lease, "w1", queues=[self.queue], wait_ms=500)
        self.api.submit(type="t", queue=unique("elsewhere"))
        jobs, elapsed = polling.result(timeout=20)
        self.assertEqual(jobs, [])
        self.assertGreaterEqual(elapsed, 0.45)

    def test_delayed_job_becomes_leasable_after_the_delay(self):
        t0 = time.monotonic()
        job = self.api.submit(type="t", queue=self.queue, delay_ms=200)
        self.assertEqual(job["status"], "scheduled")
        jobs = self.api.lease("w1", queues=[self.queue], wait_ms=5000)
        elapsed = time.monotonic() - t0
        self.assertEqual([j["id"] for j in jobs], [job["id"]])
        self.assertGreaterEqual(elapsed, 0.18, "leased before its delay ran out")
        self.assertGreaterEqual(jobs[0]["started_at"], job["run_at"])
        self.assertLess(elapsed, 4.0)

    def test_each_waiting_worker_gets_its_own_job(self):
        workers = [self.new_api() for _ in range(3)]
        polls = [run_in_thread(w.lease, f"w{i}", queues=[self.queue], wait_ms=5000) for i, w in enumerate(workers)]
        ids = {j["id"] for j in self.api.submit_batch([{"type": "t", "queue": self.queue} for _ in range(3)])}
        got = [p.result(timeout=20) for p in polls]
        self.assertEqual(sorted(len(g) for g in got), [1, 1, 1])
        self.assertEqual({g[0]["id"] for g in got}, ids)


class HeartbeatAndProgress(ServerTestCase):
    def lease(self, **fields):
        job = self.api.submit(type="t", queue=self.queue, **fields)
        leased = self.api.lease_one("w1", queues=[self.queue])
        self.assertEqual(leased["id"], job["id"])
        return leased

    def test_heartbeat_records_progress_and_renews_the_lease(self):
        leased = self.lease()
        reply = self.api.heartbeat(leased["id"], leased["lease_token"], progress=40,
                                   progress_message="rendering frames", stage="rendering",
                                   processed_items=4, total_items=10)
        self.assertIs(reply["cancel_requested"], False)
        self.assertIs(reply["soft_timeout_passed"], False)
        self.assertGreaterEqual(reply["lease_expires_at"], leased["lease_expires_at"])
        job = self.api.get(leased["id"])
        self.assertEqual(job["progress"], 40)
        self.assertEqual(job["progress_message"], "rendering frames")
        self.assertEqual(job["stage"], "rendering")
        self.assertEqual(job["processed_items"], 4)
        self.assertEqual(job["total_items"], 10)
        self.assertEqual(job["status"], "running")

    def test_progress_endpoint_is_the_same_as_heartbeat(self):
        leased = self.lease()
        reply = self.api.progress(leased["id"], leased["lease_token"], progress=75, stage="encoding")
        self.assertIs(reply["cancel_requested"], False)
        self.assertIn("lease_expires_at", reply)
        job = self.api.get(leased["id"])
        self.assertEqual(job["progress"], 75)
        self.assertEqual(job["stage"], "encoding")

    def test_progress_follows_from_item_counts(self):
        leased = self.lease()
        self.api.progress(leased["id"], leased["lease_token"], processed_items=1, total_items=4)
        self.assertEqual(self.api.get(leased["id"])["progress"], 25)

    def test_heartbeat_with_a_wrong_token_is_409_and_changes_nothing(self):
        leased = self.lease()
        self.api.heartbeat(leased["id"], leased["lease_token"], progress=10, stage="one")
        before = self.api.get(leased["id"])
        assert_error(self, self.api.request("POST", f"/jobs/{leased['id']}/heartbeat",
                                            {"lease_token": "0" * 32, "progress": 90, "stage": "two"}), 409, "conflict")
        after = self.api.get(leased["id"])
        self.assertEqual(after["progress"], 10)
        self.assertEqual(after["stage"], "one")
        self.assertEqual(after["lease_expires_at"], before["lease_expires_at"])

    def test_soft_timeout_is_reported_to_the_worker(self):
        leased = self.lease(soft_timeout_ms=200)
        wait_until(lambda: self.api.heartbeat(leased["id"], leased["lease_token"])["soft_timeout_passed"],
                   timeout=5.0, message="a heartbeat answering soft_timeout_passed")
        self.assertEqual(self.api.status_of(leased["id"]), "running", "a soft timeout only warns")

    def test_hard_timeout_fails_the_attempt(self):
        leased = self.lease(timeout_ms=300, max_attempts=1)
        job = wait_until(lambda: (j := self.api.get(leased["id"]))["status"] == "failed" and j,
                         timeout=SWEEP_SLACK_S + 1, message="the job to time out")
        self.assertIn("timed out", job["error"]["message"])
        assert_error(self, self.api.request("POST", f"/jobs/{leased['id']}/complete",
                                            {"lease_token": leased["lease_token"]}), 409, "conflict")


class CompleteAndFail(ServerTestCase):
    def lease(self, **fields):
        self.api.submit(type="t", queue=self.queue, **fields)
        return self.api.lease_one("w1", queues=[self.queue])

    def test_complete_records_the_result(self):
        leased = self.lease()
        done = self.api.complete(leased["id"], leased["lease_token"], {"url": "s3://bucket/x.mp4", "frames": [1, 2]})
        self.assertEqual(done["status"], "completed")
        self.assertEqual(done["result"], {"url": "s3://bucket/x.mp4", "frames": [1, 2]})
        self.assertTrue(done["completed_at"])
        self.assertFalse(done.get("lease_token"))
        job = self.api.get(leased["id"])
        self.assertEqual(job["status"], "completed")
        self.assertEqual(job["result"], {"url": "s3://bucket/x.mp4", "frames": [1, 2]})

    def test_complete_twice_is_409(self):
        leased = self.lease()
        self.api.complete(leased["id"], leased["lease_token"], "first")
        second = {"lease_token": leased["lease_token"], "result": "second"}
        assert_error(self, self.api.request("POST", f"/jobs/{leased['id']}/complete", second), 409, "conflict")
        self.assertEqual(self.api.get(leased["id"])["result"], "first")

    def test_calls_after_complete_are_409(self):
        leased = self.lease()
        self.api.complete(leased["id"], leased["lease_token"])
        token = leased["lease_token"]
        for path, body in (("heartbeat", {"lease_token": token}), ("progress", {"lease_token": token, "progress": 5}),
                           ("fail", {"lease_token": token, "error": "late"})):
            with self.subTest(path=path):
                assert_error(self, self.api.request("POST", f"/jobs/{leased['id']}/{path}", body), 409, "conflict")
        self.assertEqual(self.api.status_of(leased["id"]), "completed")

    def test_complete_with_a_wrong_token_is_409_and_the_job_keeps_running(self):
        leased = self.lease()
        assert_error(self, self.api.request("POST", f"/jobs/{leased['id']}/complete",
                                            {"lease_token": "f" * 32, "result": 1}), 409, "conflict")
        self.assertEqual(self.api.status_of(leased["id"]), "running")
        self.api.complete(leased["id"], leased["lease_token"], 2)

    def test_fail_with_attempts_left_schedules_a_retry_after_backoff(self):
        leased = self.lease(backoff={"initial_ms": 600000, "factor": 2, "max_ms": 600000, "jitter": False})
        failed = self.api.fail(leased["id"], leased["lease_token"], "network down", traceback="Traceback: ...")
        self.assertEqual(failed["status"], "scheduled")
        self.assertEqual(failed["attempt"], 1)
        self.assertGreater(failed["run_at"], leased["started_at"])
        self.assertEqual(failed["error"]["message"], "network down")
        self.assertEqual(failed["error"]["traceback"], "Traceback: ...")
        self.assertEqual(failed["error"]["attempt"], 1)
        self.assertTrue(failed["error"]["at"])
        self.assertEqual(len(failed["errors"]), 1)
        self.assertFalse(failed.get("worker_id"))
        self.assertEqual(self.api.lease("w1", queues=[self.queue]), [], "not before its backoff")

    def test_fail_without_backoff_requeues_at_once(self):
        leased = self.lease(backoff=NO_BACKOFF)
        failed = self.api.fail(leased["id"], leased["lease_token"], "flaky")
        self.assertIn(failed["status"], ("queued", "scheduled"))
        again = self.api.lease_one("w2", queues=[self.queue], wait_ms=5000)
        self.assertEqual(again["id"], leased["id"])
        self.assertEqual(again["attempt"], 2)
        self.assertNotEqual(again["lease_token"], leased["lease_token"])

    def test_fail_not_retryable_goes_to_the_dead_letters_at_once(self):
        leased = self.lease(max_attempts=5)
        failed = self.api.fail(leased["id"], leased["lease_token"], "bad input", retryable=False)
        self.assertEqual(failed["status"], "failed")
        self.assertEqual(failed["attempt"], 1)
        self.assertIn(leased["id"], [j["id"] for j in self.api.dead_letters(queue=self.queue)["jobs"]])

    def test_fail_on_the_last_attempt_is_failed(self):
        leased = self.lease(max_attempts=1)
        self.assertEqual(self.api.fail(leased["id"], leased["lease_token"], "x")["status"], "failed")

    def test_fail_may_name_when_the_retry_runs(self):
        leased = self.lease(backoff={"initial_ms": 1000, "factor": 2, "max_ms": 1000, "jitter": False})
        failed = self.api.fail(leased["id"], leased["lease_token"], "rate limited", retry_in_ms=3_600_000)
        self.assertEqual(failed["status"], "scheduled")
        self.assertEqual(failed["attempt"], 1)
        wait = at(failed["run_at"]) - at(failed["error"]["at"])
        self.assertAlmostEqual(wait.total_seconds(), 3600, delta=1, msg="the asked delay, not the 1 s backoff")

    def test_fail_that_does_not_count_gives_the_attempt_back(self):
        leased = self.lease(max_attempts=1)
        failed = self.api.fail(leased["id"], leased["lease_token"], "not yet", retry_in_ms=0, count_attempt=False)
        self.assertEqual(failed["status"], "queued")
        self.assertEqual(failed["attempt"], 0)
        self.assertEqual(failed["error"]["message"], "not yet")
        again = self.api.lease_one("w2", queues=[self.queue])
        self.assertEqual((again["id"], again["attempt"]), (leased["id"], 1))
        self.assertEqual(self.api.fail(again["id"], again["lease_token"], "counted")["status"], "failed")

    def test_bad_retry_fields_are_400_naming_the_field_and_change_nothing(self):
        leased = self.lease()
        path = f"/jobs/{leased['id']}/fail"
        token = leased["lease_token"]
        for body, field in (({"retry_in_ms": -1}, "retry_in_ms"), ({"retry_in_ms": "soon"}, "retry_in_ms"),
                            ({"retry_in_ms": 400_000_000_000}, "retry_in_ms"), ({"count_attempt": "no"}, "count_attempt"),
                            ({"retryable": False, "retry_in_ms": 5}, "retry_in_ms"),
                            ({"retryable": False, "count_attempt": False}, "count_attempt")):
            with self.subTest(body=body):
                answer = self.api.request("POST", path, {"lease_token": token, "error": "x", **body})
                assert_error(self, answer, 400, "invalid_argument", field=field)
        self.assertEqual(self.api.status_of(leased["id"]), "running")

    def test_ack_fail_entries_take_the_retry_fields(self):
        leased = self.lease(max_attempts=1)
        results = self.api.ack(fail=[{"id": leased["id"], "lease_token": leased["lease_token"], "error": "later",
                                      "retry_in_ms": 600_000, "count_attempt": False}])
        self.assertTrue(results[0]["ok"], results)
        self.assertEqual(results[0]["job"]["status"], "scheduled")
        self.assertEqual(results[0]["job"]["attempt"], 0)


class Ack(ServerTestCase):
    def test_ack_answers_each_item_in_order(self):
        self.api.submit_batch([{"type": "t", "queue": self.queue, "backoff": NO_BACKOFF, "max_attempts": 1}
                               for _ in range(4)])
        a, b, c, d = self.api.lease("w1", queues=[self.queue], max_jobs=4)
        results = self.api.ack(
            complete=[{"id": a["id"], "lease_token": a["lease_token"], "result": {"n": 1}},
                      {"id": b["id"], "lease_token": "0" * 32, "result": {"n": 2}},
                      {"id": c["id"], "lease_token": c["lease_token"]}],
            fail=[{"id": d["id"], "lease_token": d["lease_token"], "error": "nope", "traceback": "tb",
                   "retryable": False}])
        self.assertEqual([r["id"] for r in results], [a["id"], b["id"], c["id"], d["id"]])
        self.assertEqual([r["ok"] for r in results], [True, False, True, True])
        self.assertEqual(results[0]["job"]["status"], "completed")
        self.assertEqual(results[0]["job"]["result"], {"n": 1})
        self.assertEqual(results[1]["error"]["code"], "conflict")
        self.assertTrue(results[1]["error"]["message"])
        self.assertEqual(results[2]["job"]["status"], "completed")
        self.assertEqual(results[3]["job"]["status"], "failed")
        self.assertEqual(results[3]["job"]["error"]["message"], "nope")
        self.assertEqual(self.api.status_of(b["id"]), "running", "a stale token changes nothing")
        self.assertEqual(self.api.status_of(d["id"]), "failed")

    def test_ack_of_the_same_job_twice_completes_it_once(self):
        self.api.submit(type="t", queue=self.queue)
        a = self.api.lease_one("w1", queues=[self.queue])
        results = self.api.ack(complete=[{"id": a["id"], "lease_token": a["lease_token"], "result": 1},
                                         {"id": a["id"], "lease_token": a["lease_token"], "result": 2}])
        self.assertEqual([r["ok"] for r in results], [True, False])
        self.assertEqual(results[1]["error"]["code"], "conflict")
        self.assertEqual(self.api.get(a["id"])["result"], 1)

    def test_ack_with_an_unknown_job(self):
        results = self.api.ack(complete=[{"id": "01890000-0000-7000-8000-000000000000", "lease_token": "0" * 32}])
        self.assertEqual(len(results), 1)
        self.assertIs(results[0]["ok"], False)
        self.assertIn(results[0]["error"]["code"], ("not_found", "conflict"))


class AckAndLease(ServerTestCase):
    """POST /ack with a lease: a worker's outcomes and its next jobs in one request."""

    def submit(self, n):
        return self.api.submit_batch([{"type": "t", "queue": self.queue, "backoff": NO_BACKOFF} for _ in range(n)])

    def ack_and_lease(self, complete=(), fail=(), api=None, **lease):
        body = {"complete": list(complete), "fail": list(fail),
                "lease": {"worker_id": "w1", "queues": [self.queue], **lease}}
        return (api or self.api).call("POST", "/ack", body, timeout=lease.get("wait_ms", 0) / 1000 + 15)

    def test_outcomes_and_the_next_jobs_in_one_call(self):
        first, second, third = self.submit(3)
        a = self.api.lease_one("w1", queues=[self.queue])
        self.assertEqual(a["id"], first["id"])
        answer = self.ack_and_lease(complete=[{"id": a["id"], "lease_token": a["lease_token"], "result": 7}],
                                    max_jobs=5)
        self.assertEqual([(r["id"], r["ok"]) for r in answer["results"]], [(a["id"], True)])
        self.assertEqual(answer["results"][0]["job"]["status"], "completed")
        self.assertEqual([j["id"] for j in answer["jobs"]], [second["id"], third["id"]],
                         "what was ready, in order, up to max_jobs")
        for job in answer["jobs"]:
            self.assertEqual(job["status"], "running")
            self.assertTrue(job["lease_token"])
        self.assertNotIn("lease_error", answer)
        self.assertEqual(self.api.get(a["id"])["result"], 7)
        self.api.complete(answer["jobs"][0]["id"], answer["jobs"][0]["lease_token"])

    def test_a_stale_token_changes_nothing_and_the_rest_goes_on(self):
        self.submit(3)
        a, b = self.api.lease("w1", queues=[self.queue], max_jobs=2)
        answer = self.ack_and_lease(
            complete=[{"id": a["id"], "lease_token": "0" * 32, "result": "stale"},
                      {"id": b["id"], "lease_token": b["lease_token"], "result": "fresh"}],
            fail=[{"id": a["id"], "lease_token": "1" * 32, "error": "stale too"}], max_jobs=1)
        self.assertEqual([(r["id"], r["ok"]) for r in answer["results"]],
                         [(a["id"], False), (b["id"], True), (a["id"], False)])
        self.assertEqual({r["error"]["code"] for r in answer["results"] if not r["ok"]}, {"conflict"})
        self.assertEqual(len(answer["jobs"]), 1, "the lease is served beside the refused entries")
        job = self.api.get(a["id"])
        self.assertEqual((job["status"], job["attempt"], job.get("result")), ("running", 1, None),
                         "the job with the stale token is untouched")
        self.assertEqual(self.api.complete(a["id"], a["lease_token"], "right")["status"], "completed",
                         "its own token still completes it")
        self.assertEqual(self.api.get(b["id"])["result"], "fresh")

    def test_the_lease_of_an_ack_waits_for_a_job(self):
        self.submit(1)
        a = self.api.lease_one("w1", queues=[self.queue])
        waiting = run_in_thread(self.ack_and_lease, complete=[{"id": a["id"], "lease_token": a["lease_token"]}],
                                api=self.new_api(), max_jobs=1, wait_ms=10000)
        wait_until(lambda: self.api.status_of(a["id"]) == "completed", message="the outcome is written at once")
        self.assertFalse(waiting.done(), "the lease waits for a job")
        job = self.api.submit(type="t", queue=self.queue)
        answer = waiting.result(timeout=10)
        self.assertEqual([j["id"] for j in answer["jobs"]], [job["id"]])

    def test_answer_ids_leaves_the_jobs_out(self):
        self.submit(1)
        a = self.api.lease_one("w1", queues=[self.queue])
        results = self.api.call("POST", "/ack", {"complete": [{"id": a["id"], "lease_token": a["lease_token"]}],
                                                 "answer": "ids"})["results"]
        self.assertEqual(results, [{"id": a["id"], "ok": True}])
        self.assertEqual(self.api.status_of(a["id"]), "completed")

    def test_a_bad_lease_field_refuses_the_call_and_writes_nothing(self):
        self.submit(1)
        a = self.api.lease_one("w1", queues=[self.queue])
        body = {"complete": [{"id": a["id"], "lease_token": a["lease_token"]}],
                "lease": {"worker_id": "w1", "max_jobs": 0}}
        assert_error(self, self.api.request("POST", "/ack", body), 400, "invalid_argument", "lease.max_jobs")
        assert_error(self, self.api.request("POST", "/ack", {"lease": {"max_jobs": 1}}), 400, "invalid_argument",
                     "lease.worker_id")
        assert_error(self, self.api.request("POST", "/ack", {"lease": [1]}), 400, "invalid_argument", "lease")
        assert_error(self, self.api.request("POST", "/ack", {"answer": "all"}), 400, "invalid_argument", "answer")
        self.assertEqual(self.api.status_of(a["id"]), "running", "nothing of a refused call is written")


class Release(ServerTestCase):
    def release(self, job, token=None, expect=200):
        return self.api.call("POST", f"/jobs/{job['id']}/release",
                             {"lease_token": token or job["lease_token"]}, expect=expect)

    def test_a_released_job_is_queued_again_without_an_attempt_or_an_error(self):
        self.api.submit(type="t", queue=self.queue, max_attempts=1)
        leased = self.api.lease_one("w1", queues=[self.queue])
        self.assertEqual(leased["attempt"], 1)
        assert_error(self, self.api.request("POST", f"/jobs/{leased['id']}/release", {"lease_token": "0" * 32}),
                     409, "conflict")
        released = self.release(leased)
        self.assertEqual((released["status"], released["attempt"], released["errors"]), ("queued", 0, []))
        again = self.api.lease_one("w1", queues=[self.queue])
        self.assertEqual((again["id"], again["attempt"]), (leased["id"], 1), "its one attempt is still to come")
        self.release(leased, expect=409)

    def test_a_released_job_whose_cancel_was_asked_ends_cancelled_with_no_error(self):
        job = self.api.submit(type="t", queue=self.queue)
        leased = self.api.lease_one("w1", queues=[self.queue])
        self.api.call("POST", f"/jobs/{job['id']}/cancel")
        released = self.release(leased)
        self.assertEqual((released["status"], released["errors"]), ("cancelled", []))


class BatchHeartbeats(ServerTestCase):
    def test_each_job_is_answered_and_a_bad_token_leaves_the_others(self):
        self.api.submit_batch([{"type": "t", "queue": self.queue} for _ in range(2)])
        a, b = self.api.lease("w1", queues=[self.queue], max_jobs=2, lease_ms=MIN_LEASE_MS)
        before = self.api.get(a["id"])["lease_expires_at"]
        wait_until(lambda: self.api.heartbeat(b["id"], b["lease_token"])["lease_expires_at"] > before,
                   message="the clock moves on, so a renewed lease ends later")
        results = self.api.call("POST", "/heartbeats", {"jobs": [
            {"id": a["id"], "lease_token": a["lease_token"], "progress": 40, "stage": "copying"},
            {"id": b["id"], "lease_token": "0" * 32, "progress": 90}]})["results"]
        self.assertEqual([(r["id"], r["ok"]) for r in results], [(a["id"], True), (b["id"], False)])
        self.assertIs(results[0]["cancel_requested"], False)
        self.assertIs(results[0]["soft_timeout_passed"], False)
        self.assertGreater(results[0]["lease_expires_at"], before, "the lease was renewed")
        self.assertEqual(results[1]["error"]["code"], "conflict")
        job_a, job_b = self.api.get(a["id"]), self.api.get(b["id"])
        self.assertEqual((job_a["progress"], job_a["stage"]), (40, "copying"))
        self.assertNotEqual(job_b["progress"], 90, "a stale token changes nothing")

    def test_bad_bodies_name_the_field(self):
        assert_error(self, self.api.request("POST", "/heartbeats", {}), 400, "invalid_argument", "jobs")
        assert_error(self, self.api.request("POST", "/heartbeats", {"jobs": [{"id": "x"}]}), 400,
                     "invalid_argument", "jobs[0].lease_token")
        assert_error(self, self.api.request("POST", "/heartbeats", {"jobs": [1]}), 400, "invalid_argument", "jobs[0]")


class LostWorkersAndCancellation(ServerTestCase):
    def test_a_worker_that_stops_heartbeating_loses_its_job(self):
        job = self.api.submit(type="t", queue=self.queue, backoff=NO_BACKOFF)
        first = self.api.lease_one("w1", queues=[self.queue], lease_ms=MIN_LEASE_MS)
        self.assertEqual(first["attempt"], 1)
        # w1 goes silent. w2's long poll gets the job once the lease runs out.
        second, elapsed = timed(self.new_api().lease, "w2", queues=[self.queue], wait_ms=5000)
        self.assertEqual([j["id"] for j in second], [job["id"]], f"nothing after {elapsed:.2f} s")
        second = second[0]
        self.assertEqual(second["attempt"], 2)
        self.assertEqual(second["worker_id"], "w2")
        self.assertNotEqual(second["lease_token"], first["lease_token"])
        self.assertGreaterEqual(elapsed, 0.5, "the lease was taken away before it ran out")
        # The first worker wakes up: every call with its token is refused and changes nothing.
        assert_error(self, self.api.request("POST", f"/jobs/{job['id']}/heartbeat",
                                            {"lease_token": first["lease_token"], "progress": 99}), 409, "conflict")
        assert_error(self, self.api.request("POST", f"/jobs/{job['id']}/complete",
                                            {"lease_token": first["lease_token"], "result": "w1"}), 409, "conflict")
        stored = self.api.get(job["id"])
        self.assertEqual(stored["status"], "running")
        self.assertEqual(stored["worker_id"], "w2")
        self.assertIn("lease expired", stored["errors"][0]["message"])
        done = self.api.complete(job["id"], second["lease_token"], "w2")
        self.assertEqual(done["result"], "w2")

    def test_a_job_that_keeps_losing_its_worker_ends_in_the_dead_letters(self):
        job = self.api.submit(type="t", queue=self.queue, backoff=NO_BACKOFF, max_attempts=1)
        self.api.lease_one("w1", queues=[self.queue], lease_ms=MIN_LEASE_MS)
        failed = wait_until(lambda: (j := self.api.get(job["id"]))["status"] == "failed" and j,
                            timeout=MIN_LEASE_MS / 1000 + SWEEP_SLACK_S, message="the lease to expire")
        self.assertIn("lease expired", failed["error"]["message"])

    def test_heartbeats_keep_the_lease(self):
        job = self.api.submit(type="t", queue=self.queue, backoff=NO_BACKOFF)
        leased = self.api.lease_one("w1", queues=[self.queue], lease_ms=MIN_LEASE_MS)
        deadline = time.monotonic() + 2.5 * MIN_LEASE_MS / 1000
        while time.monotonic() < deadline:
            self.api.heartbeat(job["id"], leased["lease_token"])
            time.sleep(0.1)
        self.assertEqual(self.api.get(job["id"])["attempt"], 1)
        self.api.complete(job["id"], leased["lease_token"])

    def test_cancelling_a_running_job_reaches_its_worker(self):
        job = self.api.submit(type="t", queue=self.queue, backoff=NO_BACKOFF)
        leased = self.api.lease_one("w1", queues=[self.queue])
        self.assertIs(self.api.heartbeat(job["id"], leased["lease_token"])["cancel_requested"], False)
        self.assertIs(self.api.cancel(job["id"])["cancel_requested"], True)
        self.assertIs(self.api.heartbeat(job["id"], leased["lease_token"], progress=50)["cancel_requested"], True)
        self.api.fail(job["id"], leased["lease_token"], "cancelled by request")
        wait_until(lambda: self.api.status_of(job["id"]) == "cancelled", message="the job to end cancelled")
        self.assertEqual(self.api.lease("w1", queues=[self.queue]), [], "a cancelled job is not retried")

    def test_a_cancelled_job_whose_lease_runs_out_ends_cancelled(self):
        job = self.api.submit(type="t", queue=self.queue, backoff=NO_BACKOFF)
        self.api.lease_one("w1", queues=[self.queue], lease_ms=MIN_LEASE_MS)
        self.api.cancel(job["id"])
        wait_until(lambda: self.api.status_of(job["id"]) == "cancelled",
                   timeout=MIN_LEASE_MS / 1000 + SWEEP_SLACK_S, message="the job to end cancelled")


if __name__ == "__main__":
    unittest.main()
