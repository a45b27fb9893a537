"""jobq.App tasks against a real jobqd: arguments checked before anything is sent, the payload
{"args", "kwargs"} and the job options on the wire, the app's worker running tasks with their
arguments decoded by annotation, the typed handle, submit_many, plain handlers beside tasks; asubmit
and asubmit_many, the same on the app's AsyncClient."""

import asyncio
import datetime
import decimal
import inspect
import unittest
import uuid
from typing import List

from support import DEADLINE_S, AppTestCase, jobq, unique

from jobq.eager import AsyncEagerHandle

UTC = datetime.timezone.utc


class Checked(AppTestCase):
    def setUp(self):
        super().setUp()
        self.app = self.new_app()

        @self.app.task(queue=self.queue)
        def report(user_id: int, when: datetime.date, *, pages: int = 5) -> None:
            pass

        self.report = report

    def nothing_submitted(self):
        self.assertEqual(len(self.client.list(queue=self.queue)), 0)

    def test_missing_and_unknown_arguments_raise_as_a_call_would_and_send_nothing(self):
        with self.assertRaisesRegex(TypeError, r"^report\(\): missing a required argument: 'when'$"):
            self.report.submit(7)
        with self.assertRaisesRegex(TypeError, r"^report\(\): got an unexpected keyword argument 'page'$"):
            self.report.submit(7, datetime.date(2026, 1, 1), page=2)
        with self.assertRaisesRegex(TypeError, r"^report\(\): too many positional arguments$"):
            self.report.submit(7, datetime.date(2026, 1, 1), 5)
        self.nothing_submitted()

    def test_an_argument_that_is_not_json_is_refused_by_name(self):
        with self.assertRaises(jobq.NotJsonable) as caught:
            self.report.submit(7, datetime.date(2026, 1, 1), pages={"n": {1, 2}})
        self.assertEqual(str(caught.exception).split(":")[0], "report() argument pages['n']")
        self.nothing_submitted()

    def test_an_unknown_option_is_refused(self):
        with self.assertRaisesRegex(TypeError, r"unknown option 'prio'"):
            self.report.submit(7, datetime.date(2026, 1, 1), _prio="high")
        self.nothing_submitted()

    def test_the_payload_is_args_and_kwargs_and_the_options_are_job_fields(self):
        handle = self.report.submit(7, datetime.date(2026, 1, 2), pages=3, _delay=60, _priority="high",
                                    _user_id=7, _tags=["monthly"], _max_attempts=4, _timeout=20)
        job = self.client.get(handle.id)
        self.assertEqual(job.payload, {"args": [7, "2026-01-02"], "kwargs": {"pages": 3}})
        self.assertEqual((job.type, job.queue, job.status, job.priority, job.user_id, job.tags, job.max_attempts,
                          job.timeout_ms), ("report", self.queue, "scheduled", 80, "7", ["monthly"], 4, 20000))
        self.assertEqual(handle.status(), "scheduled")
        self.assertEqual(handle.cancel().status, "cancelled")
        with self.assertRaisesRegex(jobq.TaskFailed, "cancelled"):
            handle.result(timeout=1)

    def test_task_defaults_apply_and_a_submit_option_overrides_them(self):
        app = self.new_app()

        @app.task(queue=self.queue, priority="low", max_attempts=7, timeout=30, soft_timeout=10,
                  result_ttl=3600)
        def slow() -> None:
            pass

        first = self.client.get(slow.submit().id)
        self.assertEqual((first.priority, first.max_attempts, first.timeout_ms, first.soft_timeout_ms,
                          first.result_ttl_ms), (10, 7, 30000, 10000, 3600000))
        second = self.client.get(slow.submit(_priority=90, _max_attempts=1, _result_ttl=1.5).id)
        self.assertEqual((second.priority, second.max_attempts, second.result_ttl_ms), (90, 1, 1500))
        with self.assertRaisesRegex(TypeError, "result_ttl"):
            slow.submit(_result_ttl="a day")

    def test_calling_the_function_runs_it_here(self):
        app = jobq.App(url="http://127.0.0.1:9")  # nothing listens: a direct call never connects

        @app.task
        def add(a: int, b: int = 1) -> int:
            return a + b

        @app.task
        def where(job: jobq.JobContext, x: int) -> str:
            job.progress(50)
            return f"{job.type}:{x}"

        self.assertEqual((add(2), add(2, b=5)), (3, 7))
        self.assertEqual(where(3), "where:3")
        self.assertEqual(str(where.signature), "(x: int) -> str")


class Run(AppTestCase):
    def test_the_worker_decodes_arguments_by_annotation_and_the_handle_decodes_the_result(self):
        app = self.new_app()
        seen = {}

        @app.task(queue=self.queue)
        def invoice(customer: uuid.UUID, total: decimal.Decimal, due: datetime.datetime,
                    lines: List[datetime.date]) -> datetime.datetime:
            seen.update(customer=customer, total=total, due=due, lines=lines)
            return due + datetime.timedelta(days=1)

        self.start_app_worker(app)
        due = datetime.datetime(2026, 12, 31, 12, 0, tzinfo=UTC)
        customer = uuid.uuid4()
        handle = invoice.submit(customer, decimal.Decimal("10.20"), due, [datetime.date(2026, 12, 1)])
        self.assertEqual(handle.result(timeout=DEADLINE_S), datetime.datetime(2027, 1, 1, 12, 0, tzinfo=UTC))
        self.assertEqual(seen, {"customer": customer, "total": decimal.Decimal("10.20"), "due": due,
                                "lines": [datetime.date(2026, 12, 1)]})
        self.assertEqual(handle.get().result, "2027-01-01T12:00:00+00:00")
        self.assertEqual(handle.status(), "completed")
        self.assertIs(handle.status(), jobq.JobStatus.COMPLETED)

    def test_watch_follows_a_task_with_progress_to_its_end(self):
        app = self.new_app()

        @app.task(queue=self.queue)
        def steps(job: jobq.JobContext, n: int) -> int:
            for i in range(1, n + 1):
                job.progress(100 * i // n, f"step {i}")
            return n

        handle = steps.submit(3)
        with handle.watch() as changes:
            self.start_app_worker(app, progress_interval_s=0.0)
            events = [(name, job.status) for name, job in changes]
        self.assertEqual(events[0], ("snapshot", "queued"))
        self.assertEqual(events[-1], ("completed", "completed"))
        self.assertEqual(handle.result(), 3)

    def test_a_task_submitted_by_any_client_as_args_and_kwargs_runs_the_same(self):
        app = self.new_app()

        @app.task(queue=self.queue)
        def greet(name: str, *, punctuation: str = ".") -> str:
            return f"hello {name}{punctuation}"

        self.start_app_worker(app)
        raw = self.client.submit("greet", {"args": ["ada"], "kwargs": {"punctuation": "!"}}, queue=self.queue)
        self.assertEqual(self.finished(raw.id).result, "hello ada!")

    def test_a_payload_that_does_not_fit_fails_the_job_for_good_naming_why(self):
        app = self.new_app()

        @app.task(queue=self.queue)
        def double(n: int) -> int:
            return 2 * n

        self.start_app_worker(app)
        cases = [({"args": []}, "double(): missing a required argument: 'n'"),
                 ({"n": 2}, "the payload must be")]
        for payload, message in cases:
            done = self.finished(self.client.submit("double", payload, queue=self.queue, max_attempts=3).id)
            self.assertEqual((done.status, done.attempt), ("failed", 1))
            self.assertIn(message, done.error["message"])
        self.assertEqual(len(cases), 2)

    def test_submit_many_sends_one_batch_and_the_handles_come_back_in_order(self):
        app = self.new_app()

        @app.task(queue=self.queue)
        def square(n: int) -> int:
            return n * n

        @app.task(queue=self.queue)
        def negate(n: int) -> int:
            return -n

        self.start_app_worker(app)
        handles = square.submit_many([(n,) for n in range(5)])
        mixed = app.submit_many([square.call(6), negate.call(n=6)])
        self.assertEqual([h.result(DEADLINE_S) for h in handles], [0, 1, 4, 9, 16])
        self.assertEqual([h.result(DEADLINE_S) for h in mixed], [36, -6])

    def test_a_plain_handler_runs_beside_the_tasks(self):
        app = self.new_app()

        @app.task(queue=self.queue)
        def task_one() -> str:
            return "task"

        @app.handler("legacy")
        def legacy(job):
            return {"got": job.payload}

        self.start_app_worker(app)
        raw = self.client.submit("legacy", {"user": 42}, queue=self.queue)
        self.assertEqual(self.finished(raw.id).result, {"got": {"user": 42}})
        self.assertEqual(task_one.submit().result(DEADLINE_S), "task")

    def test_an_async_task_runs_on_the_loop_beside_a_sync_one(self):
        app = self.new_app()

        @app.task(queue=self.queue)
        async def fetch(url: str) -> dict:
            await asyncio.sleep(0.01)
            return {"url": url, "loop": asyncio.get_running_loop() is not None}

        @app.task(queue=self.queue)
        def plain() -> str:
            return "sync"

        worker = self.start_app_worker(app)
        self.assertIsInstance(worker, jobq.AsyncWorker)
        self.assertEqual(fetch.submit("http://x").result(DEADLINE_S), {"url": "http://x", "loop": True})
        self.assertEqual(plain.submit().result(DEADLINE_S), "sync")

    def test_a_result_that_is_not_json_fails_the_job_for_good(self):
        app = self.new_app()

        @app.task(queue=self.queue)
        def bad() -> object:
            return {"x": object()}

        self.start_app_worker(app)
        done = self.finished(bad.submit(_max_attempts=3).id)
        self.assertEqual((done.status, done.attempt), ("failed", 1))
        self.assertIn("the result of bad is not JSON: result['x']: object is not JSON", done.error["message"])

    def test_two_tasks_may_not_share_a_name(self):
        app = self.new_app()
        app.task(name=unique("t"))(lambda: None)
        with self.assertRaisesRegex(ValueError, "already registered"):
            app.task(name=next(iter(app.tasks)))(lambda: None)



class AsyncSubmit(AppTestCase):
    """asubmit: what submit checks and sends, on the app's AsyncClient, with an AsyncTaskHandle."""

    def setUp(self):
        super().setUp()
        self.app = self.new_app()

        @self.app.task(queue=self.queue, max_attempts=4)
        def steps(job: jobq.JobContext, n: int, *, label: str = "step") -> str:
            for i in range(1, n + 1):
                job.progress(100 * i // n, f"{label} {i}")
            return f"{label} x{n}"

        self.steps = steps

    def test_asubmit_checks_the_arguments_and_sends_what_submit_sends(self):
        async def submit():
            with self.assertRaisesRegex(TypeError, r"^steps\(\): missing a required argument: 'n'$"):
                await self.steps.asubmit(label="x")
            with self.assertRaises(jobq.NotJsonable):
                await self.steps.asubmit({1, 2})
            self.assertEqual(len(self.client.list(queue=self.queue)), 0)
            handle = await self.steps.asubmit(2, label="page", _delay=60, _priority="high", _user_id=7)
            self.assertIsInstance(handle, jobq.AsyncTaskHandle)
            self.assertEqual(await handle.status(), "scheduled")
            cancelled = await handle.cancel()
            with self.assertRaisesRegex(jobq.TaskFailed, "cancelled"):
                await handle.result(timeout=1)
            await self.app.aclose()
            return handle, cancelled

        handle, cancelled = asyncio.run(submit())
        self.assertEqual(cancelled.status, jobq.JobStatus.CANCELLED)
        job = self.client.get(handle.id)
        synced = self.client.get(self.steps.submit(2, label="page", _delay=60, _priority="high", _user_id=7).id)
        for field in ("type", "queue", "payload", "priority", "max_attempts", "user_id"):
            self.assertEqual(job[field], synced[field], field)
        self.assertEqual(job.payload, {"args": [2], "kwargs": {"label": "page"}})

    def test_an_async_handle_watches_the_task_to_its_result(self):
        async def follow():
            handle = await self.steps.asubmit(3)
            async with await handle.watch() as changes:
                self.start_app_worker(self.app, progress_interval_s=0.0)
                events = [(name, job.status, job.progress) async for name, job in changes]
            result = await handle.result(timeout=DEADLINE_S)
            await self.app.aclose()
            return events, result

        events, result = asyncio.run(follow())
        self.assertEqual(events[0][:2], ("snapshot", "queued"))
        self.assertEqual(events[-1], ("completed", "completed", 100))
        self.assertEqual(result, "step x3")

    def test_asubmit_many_sends_one_batch_and_the_handles_come_back_in_order(self):
        self.start_app_worker(self.app)

        async def batch():
            handles = await self.steps.asubmit_many([(n,) for n in range(1, 4)])
            mixed = await self.app.asubmit_many([self.steps.call(1, label="a"), self.steps.call(n=2, label="b")])
            results = [await h.result(DEADLINE_S) for h in handles + mixed]
            await self.app.aclose()
            return results

        self.assertEqual(asyncio.run(batch()), ["step x1", "step x2", "step x3", "a x1", "b x2"])

    def test_an_async_handle_has_every_call_of_a_handle_with_the_same_parameters(self):
        for sync_cls, async_cls in ((jobq.TaskHandle, jobq.AsyncTaskHandle),
                                    (jobq.TaskHandle, AsyncEagerHandle)):
            for name, fn in inspect.getmembers(sync_cls, inspect.isfunction):
                if name.startswith("_"):
                    continue
                twin = getattr(async_cls, name, None)
                self.assertTrue(inspect.iscoroutinefunction(twin), f"{async_cls.__name__}.{name}")
                self.assertEqual(list(inspect.signature(twin).parameters), list(inspect.signature(fn).parameters),
                                 f"{async_cls.__name__}.{name}")

    def test_the_async_client_of_an_app_made_on_a_client_talks_to_that_server_with_its_key(self):
        app = jobq.App(client=jobq.Client(f"http://127.0.0.1:{self.server.port}", api_key="k-1", timeout=7.0))
        self.addCleanup(app.close)
        transport = app.async_client._http
        self.assertEqual((transport.url, transport.api_key, transport.timeout),
                         (f"http://127.0.0.1:{self.server.port}", "k-1", 7.0))
        self.assertIs(app.async_client, app.async_client)

if __name__ == "__main__":
    unittest.main()
