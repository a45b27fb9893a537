"""What a running handler and the server tell each other through the JobContext: progress (throttled,
the last report always sent), a cancel request, the soft-timeout notice."""

import threading
import time
import unittest

from support import DEADLINE_S, WorkerTestCase, progress_requests

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
        events, watcher = self.watch_in_thread(job.id)
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


if __name__ == "__main__":
    unittest.main()
