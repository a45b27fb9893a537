"""jobq.Worker against a real jobqd: results, progress throttling, failures with tracebacks,
cancellation, the soft-timeout notice, concurrency, and the server's commands."""

import threading
import time
import unittest

from support import ClientTestCase, jobq, unique, wait_until

DEADLINE_S = 20.0


def metrics(server):
    api = server.api()
    try:
        status, _, _ = api.request("GET", "/metrics", absolute=True)
        text = api.last_text
    finally:
        api.close()
    assert status == 200, text
    return text.splitlines()


def progress_requests(server):
    """How many POST /jobs/{id}/progress the server has answered, from /metrics."""
    return sum(int(float(line.rsplit(" ", 1)[1])) for line in metrics(server)
               if line.startswith("jobq_http_requests_total{") and "progress" in line)


def leases_waiting(server):
    return next(int(line.split()[1]) for line in metrics(server) if line.startswith("jobq_leases_waiting "))


class WorkerTestCase(ClientTestCase):
    def new_worker(self, cls=jobq.Worker, **kw):
        kw.setdefault("queues", [self.queue])
        kw.setdefault("poll_s", 1.0)
        kw.setdefault("beat_s", 0.5)
        return cls(self.new_client(), **kw)

    def finished(self, job_id, timeout=DEADLINE_S):
        job = self.client.wait(job_id, timeout=timeout)
        self.assertTrue(job.finished, f"job still {job.status} after {timeout} s: {job!r}")
        return job


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
        worker = self.new_worker(concurrency=3)
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
        running = self.client.list(queue=self.queue, status="running").jobs
        self.assertEqual(len(running), 3)
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


class Progress(WorkerTestCase):
    def test_progress_is_throttled_to_two_a_second_and_the_last_one_is_sent(self):
        # Heartbeats (every lease_s / 3) would show up as progress events too; keep them out of the run.
        worker = self.new_worker(lease_s=60)
        spent = []

        @worker.handler("report")
        def report(job):
            t0 = time.monotonic()
            for i in range(1, 101):
                job.progress(i, f"step {i}", stage="counting", processed_items=i, total_items=100)
                time.sleep(0.015)
            spent.append(time.monotonic() - t0)
            return "done"

        job = self.client.submit("report", queue=self.queue)
        events, opened = [], threading.Event()

        def watch():
            for event, j in self.new_client().watch(job.id, timeout=20):
                events.append((event, j))
                opened.set()

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        self.assertTrue(opened.wait(10), "the watch did not open")
        before = progress_requests(self.server)
        self.start_worker(worker)
        done = self.finished(job.id)
        watcher.join(10)
        sent = progress_requests(self.server) - before

        self.assertEqual(done.status, "completed")
        self.assertEqual((done.progress_message, done.stage), ("step 100", "counting"))
        self.assertEqual((done.processed_items, done.total_items), (100, 100))
        # 100 reports over spent[0] seconds: at most one per 0.5 s window, plus the final one.
        bound = int(spent[0] / 0.5) + 2
        observed = [j for e, j in events if e == "progress"]
        self.assertGreaterEqual(sent, 2, "the first report goes out at once and the last one before the end")
        self.assertLessEqual(sent, bound, f"{sent} progress requests in {spent[0]:.2f} s")
        self.assertGreaterEqual(len(observed), 1)
        self.assertLessEqual(len(observed), bound)
        self.assertEqual(observed[0].progress, 1, "the first report is sent at once")
        values = [j.progress for j in observed]
        self.assertEqual(values, sorted(values), "reports arrive in order")


    def test_the_last_report_is_sent_even_when_the_job_ends_inside_the_window(self):
        worker = self.new_worker(lease_s=60)

        @worker.handler("quick")
        def quick(job):
            job.progress(10, "first")
            job.progress(90, "last", stage="end")
            return "done"

        self.start_worker(worker)
        done = self.finished(self.client.submit("quick", queue=self.queue).id)
        # A completed job shows progress 100 whatever was reported; message and stage are the last report's.
        self.assertEqual((done.status, done.progress_message, done.stage), ("completed", "last", "end"))

    def test_progress_out_of_range_is_refused_in_the_handler(self):
        worker = self.new_worker()

        @worker.handler("over")
        def over(job):
            job.progress(150)

        self.start_worker(worker)
        done = self.finished(self.client.submit("over", queue=self.queue, max_attempts=1).id)
        self.assertEqual(done.status, "failed")
        self.assertEqual(done.error["message"], "ValueError: progress must be between 0 and 100, got 150")


class Cancelling(WorkerTestCase):
    def test_a_cancel_reaches_the_running_handler_and_the_job_ends_cancelled(self):
        worker = self.new_worker(lease_s=3)  # heartbeats every second carry the news
        started, outcome = threading.Event(), []

        @worker.handler("long")
        def long(job):
            started.set()
            for _ in range(400):
                if job.wait_cancelled(0.05):
                    outcome.append("saw cancel")
                    job.raise_if_cancelled()
            outcome.append("ran to the end")
            return "not cancelled"

        self.start_worker(worker)
        job = self.client.submit("long", queue=self.queue)
        self.assertTrue(started.wait(DEADLINE_S))
        self.assertTrue(self.client.cancel(job.id).cancel_requested)
        done = self.finished(job.id)
        self.assertEqual(done.status, "cancelled")
        self.assertEqual(outcome, ["saw cancel"])


class SoftTimeout(WorkerTestCase):
    def test_the_handler_is_told_when_the_soft_timeout_passes(self):
        worker = self.new_worker(lease_s=30)  # the notice must not wait for a heartbeat

        @worker.handler("slow")
        def slow(job):
            before = job.soft_timeout_passed
            noticed = job.soft_timeout.wait(DEADLINE_S)
            return {"before": before, "noticed": noticed}

        self.start_worker(worker)
        job = self.client.submit("slow", queue=self.queue, soft_timeout_ms=300, timeout_ms=60_000)
        done = self.finished(job.id)
        self.assertEqual(done.result, {"before": False, "noticed": True})


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
