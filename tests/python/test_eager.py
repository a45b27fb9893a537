"""App.eager(): a submit runs the task at once, in this process, with the same argument checking, the
same JSON round trip and the same outcomes (retries, Retry, PermanentFailure, retry_on, hooks) as on
a worker. No server: the app's client is never opened."""

import asyncio
import datetime
import unittest

import support  # noqa: F401  (puts clients/python first on the path)
import jobq

NOWHERE = "http://127.0.0.1:9"  # nothing listens: a test that reached the network would fail


class Eager(unittest.TestCase):
    def setUp(self):
        self.app = jobq.App(url=NOWHERE)
        self.calls = []

    def test_a_submit_runs_the_task_at_once_through_a_json_round_trip(self):
        @self.app.task
        def stamp(when: datetime.date, tags: list, extra: dict) -> datetime.date:
            self.calls.append((type(when), tags, dict(extra)))
            extra["changed"] = True
            return when + datetime.timedelta(days=1)

        given = {"k": ("a", "b")}
        with self.app.eager() as runner:
            handle = stamp.submit(datetime.date(2026, 1, 31), ("x",), given)
        self.assertEqual(handle.status(), "completed")
        self.assertEqual(handle.result(), datetime.date(2026, 2, 1))
        self.assertEqual(handle.get().result, "2026-02-01")
        self.assertEqual(self.calls, [(datetime.date, ["x"], {"k": ["a", "b"]})])
        self.assertEqual(given, {"k": ("a", "b")}, "the task got a copy, as a worker would")
        self.assertEqual(runner.handles, [handle])

    def test_arguments_are_checked_as_on_a_submit_to_the_server(self):
        @self.app.task
        def one(n: int) -> None:
            self.calls.append(n)

        with self.app.eager():
            with self.assertRaisesRegex(TypeError, "missing a required argument: 'n'"):
                one.submit()
            with self.assertRaisesRegex(jobq.NotJsonable, r"one\(\) argument n"):
                one.submit(object())
        self.assertEqual(self.calls, [])

    def test_failed_attempts_are_retried_until_none_is_left(self):
        @self.app.task(max_attempts=3)
        def flaky() -> str:
            self.calls.append(1)
            if len(self.calls) < 3:
                raise ConnectionError(f"try {len(self.calls)}")
            return "done"

        @self.app.task(max_attempts=2)
        def broken() -> None:
            raise ValueError("always")

        with self.app.eager():
            ok, bad = flaky.submit(), broken.submit()
        self.assertEqual((ok.result(), ok.get().attempt, len(ok.get().errors)), ("done", 3, 2))
        self.assertEqual(ok.get().errors[0]["message"], "ConnectionError: try 1")
        self.assertEqual(bad.status(), "failed")
        with self.assertRaisesRegex(jobq.TaskFailed, "failed: ValueError: always") as caught:
            bad.result()
        self.assertEqual(caught.exception.job.attempt, 2)

    def test_a_permanent_failure_and_a_task_outside_retry_on_end_at_the_first_attempt(self):
        @self.app.task(max_attempts=5)
        def hopeless() -> None:
            raise jobq.PermanentFailure("no such user")

        @self.app.task(max_attempts=5, retry_on=(TimeoutError,))
        def picky(kind: str) -> None:
            self.calls.append(kind)
            raise TimeoutError("slow") if kind == "timeout" else KeyError("user")

        with self.app.eager():
            first, listed, unlisted = hopeless.submit(), picky.submit("timeout"), picky.submit("key")
        self.assertEqual((first.status(), first.get().attempt), ("failed", 1))
        self.assertEqual((listed.status(), listed.get().attempt), ("failed", 5))
        self.assertEqual((unlisted.status(), unlisted.get().attempt), ("failed", 1))
        self.assertEqual(unlisted.get().error["message"], "PermanentFailure: KeyError: 'user' (not in retry_on)")
        self.assertIn("KeyError", unlisted.get().error["traceback"])

    def test_a_retry_that_does_not_count_leaves_the_attempts_alone(self):
        @self.app.task(max_attempts=2)
        def polite(job: jobq.JobContext) -> int:
            self.calls.append(job.attempt)
            if len(self.calls) < 4:
                raise jobq.Retry("rate limited", after=0, count_attempt=False)
            return len(self.calls)

        with self.app.eager():
            handle = polite.submit()
        self.assertEqual(handle.result(), 4)
        self.assertEqual(self.calls, [1, 1, 1, 1])
        self.assertEqual([e["message"] for e in handle.get().errors], ["Retry: rate limited"] * 3)

    def test_an_async_task_runs_to_its_end_also_when_submitted_from_a_coroutine(self):
        @self.app.task
        async def later(n: int) -> int:
            await asyncio.sleep(0)
            return n + 1

        with self.app.eager():
            self.assertEqual(later.submit(1).result(), 2)

            async def endpoint():
                return later.submit(2).result()

            self.assertEqual(asyncio.run(endpoint()), 3)

    def test_asubmit_runs_the_task_at_once_and_its_handle_answers_awaited(self):
        @self.app.task
        def double(n: int) -> int:
            self.calls.append(n)
            return 2 * n

        async def endpoint():
            with self.assertRaisesRegex(TypeError, "missing a required argument: 'n'"):
                await double.asubmit()
            handle = await double.asubmit(21)
            [other] = await double.asubmit_many([(4,)])
            async with await handle.watch() as changes:
                events = [(name, job.status) async for name, job in changes]
            return (await handle.status(), await handle.result(), (await handle.get()).result, events,
                    await other.result())

        with self.app.eager():
            status, result, raw, events, other = asyncio.run(endpoint())
        self.assertEqual((status, result, raw, other), ("completed", 42, 42, 8))
        self.assertEqual(events, [("snapshot", "completed"), ("completed", "completed")])
        self.assertEqual(self.calls, [21, 4])

    def test_hooks_of_the_app_then_the_task_run_around_each_attempt(self):
        order = []
        self.app.before(lambda job: order.append(("app.before", job.attempt)))
        self.app.after(lambda job: order.append(("app.after", job.attempt)))
        self.app.on_success(lambda job, result: order.append(("app.on_success", result)))
        self.app.on_failure(lambda job, error: order.append(("app.on_failure", str(error))))

        @self.app.task(max_attempts=2, before=lambda job: order.append(("task.before", job.attempt)),
                       on_failure=lambda job, error: order.append(("task.on_failure", str(error))))
        def second_time(job: jobq.JobContext) -> str:
            if job.attempt == 1:
                raise RuntimeError("first")
            return "ok"

        with self.app.eager():
            self.assertEqual(second_time.submit().result(), "ok")
        self.assertEqual(order, [("app.before", 1), ("task.before", 1), ("app.on_failure", "first"),
                                 ("task.on_failure", "first"), ("app.after", 1),
                                 ("app.before", 2), ("task.before", 2), ("app.on_success", "ok"), ("app.after", 2)])

    def test_a_hook_that_breaks_after_the_run_changes_nothing(self):
        def broken(job, result):
            raise RuntimeError("hook bug")

        @self.app.task(on_success=broken)
        def fine() -> int:
            return 1

        with self.app.eager(), self.assertLogs("jobq.worker", "ERROR") as logs:
            self.assertEqual(fine.submit().result(), 1)
        self.assertIn("the on_success hook", logs.output[0])

    def test_eager_mode_ends_with_its_block(self):
        @self.app.task
        def noop() -> None:
            pass

        with self.app.eager():
            noop.submit()
        with self.assertRaises(jobq.ConnectionFailed):
            noop.submit()


if __name__ == "__main__":
    unittest.main()
