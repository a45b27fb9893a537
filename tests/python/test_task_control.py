"""A task's control of its job on a real worker and jobqd: hooks around each attempt, retry_on, and
jobq.Retry (its delay and whether the attempt counts: retry_in_ms and count_attempt on fail)."""

import threading
import time
import unittest

from support import DEADLINE_S, AppTestCase, jobq

NO_BACKOFF = {"initial_ms": 0, "factor": 1, "max_ms": 0, "jitter": False}
LONG_BACKOFF = {"initial_ms": 600_000, "factor": 1, "max_ms": 600_000, "jitter": False}


class Hooks(AppTestCase):
    def test_hooks_run_around_each_attempt_on_the_worker_with_its_job(self):
        app = self.new_app()
        order, lock = [], threading.Lock()

        def note(what):
            def hook(job, *rest):
                with lock:
                    order.append((what, job.attempt, *(str(r) for r in rest)))
            return hook

        app.before(note("app.before"))
        app.on_failure(note("app.on_failure"))
        app.after(note("app.after"))

        @app.task(queue=self.queue, backoff=NO_BACKOFF, max_attempts=2, on_success=note("task.on_success"))
        def twice(job: jobq.JobContext) -> str:
            if job.attempt == 1:
                raise RuntimeError("once")
            return "ok"

        self.start_app_worker(app)
        handle = twice.submit()
        self.assertEqual(handle.result(DEADLINE_S), "ok")
        self.assertEqual(order, [("app.before", 1), ("app.on_failure", 1, "once"), ("app.after", 1),
                                 ("app.before", 2), ("task.on_success", 2, "ok"), ("app.after", 2)])

    def test_a_before_hook_that_raises_fails_the_attempt(self):
        app = self.new_app()
        ran = []
        app.before(lambda job: (_ for _ in ()).throw(PermissionError("not today")))

        @app.task(queue=self.queue, max_attempts=1)
        def guarded() -> None:
            ran.append(1)

        self.start_app_worker(app)
        done = self.finished(guarded.submit().id)
        self.assertEqual((done.status, done.error["message"], ran), ("failed", "PermissionError: not today", []))


class RetryOn(AppTestCase):
    def test_a_listed_exception_is_retried_and_another_fails_the_job_for_good(self):
        app = self.new_app()

        @app.task(queue=self.queue, max_attempts=3, backoff=NO_BACKOFF, retry_on=(TimeoutError,))
        def call_api(job: jobq.JobContext, kind: str) -> int:
            if job.attempt == 1:
                raise TimeoutError("slow") if kind == "timeout" else LookupError("no such account")
            return job.attempt

        self.start_app_worker(app)
        listed, unlisted = call_api.submit("timeout"), call_api.submit("lookup")
        self.assertEqual(listed.result(DEADLINE_S), 2)
        done = self.finished(unlisted.id)
        self.assertEqual((done.status, done.attempt), ("failed", 1))
        self.assertEqual(done.error["message"], "PermanentFailure: LookupError: no such account (not in retry_on)")
        self.assertIn("LookupError: no such account", done.error["traceback"])


class RetryAfter(AppTestCase):
    def test_a_retry_runs_its_next_attempt_after_the_delay_instead_of_the_backoff(self):
        app = self.new_app()
        starts = []

        @app.task(queue=self.queue, backoff=LONG_BACKOFF, max_attempts=3)
        def later(job: jobq.JobContext) -> int:
            starts.append(time.monotonic())
            if job.attempt == 1:
                raise jobq.Retry("the bank is closed", after=1.5)
            return job.attempt

        self.start_app_worker(app)
        handle = later.submit()
        self.assertEqual(handle.result(DEADLINE_S), 2, "the 10-minute backoff was not replaced by 1.5 s")
        self.assertGreaterEqual(starts[1] - starts[0], 1.4)
        self.assertEqual(handle.get().errors[0]["message"], "Retry: the bank is closed")

    def test_a_retry_that_does_not_count_leaves_the_attempts_for_real_failures(self):
        app = self.new_app()
        runs = []

        @app.task(queue=self.queue, backoff=NO_BACKOFF, max_attempts=1)
        def polite() -> int:
            runs.append(1)
            if len(runs) < 3:
                raise jobq.Retry("rate limited", after=0.1, count_attempt=False)
            return len(runs)

        self.start_app_worker(app)
        handle = polite.submit()
        self.assertEqual(handle.result(DEADLINE_S), 3, "an uncounted retry used the only attempt up")
        self.assertEqual([e["message"] for e in handle.get().errors], ["Retry: rate limited"] * 2)

    def test_a_counted_retry_on_the_last_attempt_ends_in_the_dead_letters(self):
        app = self.new_app()

        @app.task(queue=self.queue, backoff=NO_BACKOFF, max_attempts=1)
        def last() -> None:
            raise jobq.Retry(after=0)

        self.start_app_worker(app)
        done = self.finished(last.submit().id)
        self.assertEqual((done.status, done.attempt), ("failed", 1))


class RetryTheServerRefuses(AppTestCase):
    def test_a_retry_the_server_refuses_is_sent_as_a_plain_failure(self):
        # jobqd takes retry_in_ms up to ten years (an older jobqd takes none): past it, the attempt
        # still fails, retried with the backoff, rather than stay running until its lease runs out.
        app = self.new_app()
        eleven_years_s = 11 * 365 * 24 * 3600

        @app.task(queue=self.queue, backoff=NO_BACKOFF, max_attempts=2)
        def later(job: jobq.JobContext) -> int:
            if job.attempt == 1:
                raise jobq.Retry(after=eleven_years_s)
            return job.attempt

        self.start_app_worker(app)
        with self.assertLogs("jobq.worker", "WARNING") as logs:
            self.assertEqual(later.submit().result(DEADLINE_S), 2)
        self.assertTrue(any("refused the retry's timing" in line for line in logs.output), logs.output)


if __name__ == "__main__":
    unittest.main()
