"""jobq.Worker against a real jobqd: results, failures with tracebacks, refused results, heartbeats,
concurrency, the server's commands, and keys."""

import threading
import unittest

from support import DEADLINE_S, WorkerTestCase, jobq, leases_waiting, unique, wait_until


class Running(WorkerTestCase):
    def test_a_handler_result_completes_the_job(self):
        worker = self.new_worker()

        @worker.handler("add")
        def add(job):
            return {"sum": job.payload["a"] + job.payload["b"], "attempt": job.attempt}

        self.start_worker(worker)
        job = self.client.submit("add", {"a": 2, "b": 3}, queue=self.queue)
        done = self.finished(job.id)
        self.assertEqual((done.status, done.result), ("completed", {"sum": 5, "attempt": 1}))

    def test_an_exception_fails_the_job_with_its_traceback_and_it_is_retried(self):
        worker = self.new_worker()
        calls = []

        @worker.handler("flaky")
        def flaky(job):
            calls.append(job.attempt)
            if job.attempt == 1:
                raise ValueError("first try breaks")
            return "ok"

        self.start_worker(worker)
        job = self.client.submit("flaky", queue=self.queue, max_attempts=2,
                                 backoff={"initial_ms": 0, "factor": 1, "max_ms": 0, "jitter": False})
        done = self.finished(job.id)
        self.assertEqual((done.status, done.result, calls), ("completed", "ok", [1, 2]))
        self.assertEqual(len(done.errors), 1)
        error = done.errors[0]
        self.assertEqual(error["message"], "ValueError: first try breaks")
        self.assertIn("Traceback (most recent call last)", error["traceback"])
        self.assertIn("in flaky", error["traceback"])
        self.assertIn('raise ValueError("first try breaks")', error["traceback"])

    def test_a_permanent_failure_ends_in_the_dead_letters_at_once(self):
        worker = self.new_worker()

        @worker.handler("hopeless")
        def hopeless(job):
            raise jobq.PermanentFailure("payload names no user")

        self.start_worker(worker)
        job = self.client.submit("hopeless", queue=self.queue, max_attempts=5)
        done = self.finished(job.id)
        self.assertEqual((done.status, done.attempt), ("failed", 1))
        self.assertEqual(done.error["message"], "PermanentFailure: payload names no user")

    def test_heartbeats_keep_a_job_longer_than_its_lease(self):
        worker = self.new_worker(lease_s=1.2)

        @worker.handler("long")
        def long(job):
            return {"cancelled": job.wait_cancelled(4.0)}  # over three leases' length

        self.start_worker(worker)
        done = self.finished(self.client.submit("long", queue=self.queue).id)
        self.assertEqual((done.status, done.attempt, done.result), ("completed", 1, {"cancelled": False}))
        self.assertEqual(done.errors, [])

    def test_concurrency_bounds_the_jobs_running_at_once(self):
        self.bounded(prefetch=0)

    def test_prefetched_jobs_wait_for_a_free_slot(self):
        self.bounded(prefetch=2)

    def bounded(self, prefetch):
        """Handlers run 3 at a time; the server has 3 + prefetch leased to the worker."""
        worker = self.new_worker(concurrency=3, prefetch=prefetch)
        gate, lock, now, most = threading.Event(), threading.Lock(), [0], [0]

        @worker.handler("slot")
        def slot(job):
            with lock:
                now[0] += 1
                most[0] = max(most[0], now[0])
            gate.wait(DEADLINE_S)
            with lock:
                now[0] -= 1

        jobs = self.client.submit_many([{"type": "slot", "queue": self.queue} for _ in range(7)])
        self.start_worker(worker)
        wait_until(lambda: now[0] == 3, DEADLINE_S, message="three handlers running")
        running = wait_until(lambda: len(self.client.list(queue=self.queue, status="running").jobs) == 3 + prefetch,
                             DEADLINE_S, message=f"{3 + prefetch} jobs leased")
        self.assertTrue(running)
        self.assertEqual(len(self.client.list(queue=self.queue, status="queued").jobs), 4 - prefetch)
        gate.set()
        for j in jobs:
            self.assertEqual(self.finished(j.id).status, "completed")
        self.assertEqual(most[0], 3)


class RefusedResults(WorkerTestCase):
    server_args = ("--max-payload-bytes", "4096")

    def test_a_result_the_server_refuses_fails_the_job_at_once(self):
        worker = self.new_worker()

        @worker.handler("big")
        def big(job):
            return "x" * 10_000

        self.start_worker(worker)
        done = self.finished(self.client.submit("big", queue=self.queue, max_attempts=3).id)
        self.assertEqual((done.status, done.attempt), ("failed", 1))
        self.assertIn("the server refused the result", done.error["message"])

    def test_a_result_that_is_not_json_fails_the_job(self):
        worker = self.new_worker()

        @worker.handler("odd")
        def odd(job):
            return {"when": object()} if job.payload == "object" else float("nan")

        self.start_worker(worker)
        for payload in ("object", "nan"):
            done = self.finished(self.client.submit("odd", payload, queue=self.queue).id)
            self.assertEqual(done.status, "failed")
            self.assertIn("not JSON", done.error["message"])


class Commands(WorkerTestCase):
    def test_beats_register_the_worker_and_obey_scale_and_stop(self):
        worker = self.new_worker(concurrency=2, worker_id=unique("w"))

        @worker.handler("noop")
        def noop(job):
            return None

        thread = self.start_worker(worker)
        listed = wait_until(lambda: [w for w in self.client.workers() if w["id"] == worker.worker_id],
                            DEADLINE_S, message="the worker in GET /workers")
        self.assertEqual(listed[0]["types"], ["noop"])
        self.assertEqual(listed[0]["concurrency"], 2)
        self.new_api().call("POST", f"/workers/{worker.worker_id}/scale", {"concurrency": 5})
        wait_until(lambda: worker.concurrency == 5, DEADLINE_S, message="concurrency 5")
        self.new_api().call("POST", f"/workers/{worker.worker_id}/stop")
        thread.join(DEADLINE_S)
        self.assertFalse(thread.is_alive(), "the worker did not stop on the server's command")


    def test_a_quiet_worker_leases_no_more(self):
        worker = self.new_worker(worker_id=unique("w"))

        @worker.handler("noop")
        def noop(job):
            return "ran"

        self.start_worker(worker)
        first = self.client.submit("noop", queue=self.queue)
        self.assertEqual(self.finished(first.id).status, "completed")
        wait_until(lambda: leases_waiting(self.server) == 1, DEADLINE_S, message="the worker's long poll")
        self.new_api().call("POST", f"/workers/{worker.worker_id}/quiet")
        # Once it has heard, its last long poll runs out and no other follows.
        wait_until(lambda: worker._command == "quiet", DEADLINE_S, message="quiet heard")
        wait_until(lambda: leases_waiting(self.server) == 0, DEADLINE_S, message="no long poll")
        self.two_more_beats(worker)
        later = self.client.submit("noop", queue=self.queue)
        self.two_more_beats(worker)
        self.assertEqual(leases_waiting(self.server), 0)
        self.assertEqual(self.client.get(later.id).status, "queued")
        self.assertEqual(self.worker_entry(worker)["state"], "quiet")

    def two_more_beats(self, worker):
        beats = [self.worker_entry(worker)["last_beat_at"]]
        wait_until(lambda: beats.append(self.worker_entry(worker)["last_beat_at"]) or len(set(beats)) >= 3,
                   DEADLINE_S, message="two more beats")

    def worker_entry(self, worker):
        return next(w for w in self.client.workers() if w["id"] == worker.worker_id)


class WorkerAuth(WorkerTestCase):
    server_args = ("--api-keys", "pk:producer,wk:worker,vk:viewer")
    server_key = "pk"

    def test_a_worker_with_a_worker_key_runs_jobs(self):
        worker = jobq.Worker(self.new_client(api_key="wk"), queues=[self.queue], poll_s=1.0)

        @worker.handler("keyed")
        def keyed(job):
            return "ran"

        self.start_worker(worker)
        self.assertEqual(self.finished(self.client.submit("keyed", queue=self.queue).id).result, "ran")

    def test_a_worker_whose_key_may_not_lease_fails_at_once(self):
        worker = jobq.Worker(self.new_client(api_key="vk"), queues=[self.queue], poll_s=1.0)
        worker.handler("keyed")(lambda job: "ran")
        with self.assertRaises(jobq.Forbidden):
            worker.run(install_signal_handlers=False)


if __name__ == "__main__":
    unittest.main()
