"""jobq.AsyncClient against a real jobqd. Every call: the tests of Client (test_client.py) and of the
operators' calls (test_operators.py) run again here on AsyncClient through async_bridge.py; then
what only asyncio has: async for over watch, events and iter_jobs, many calls at once on one loop
sharing a bounded pool, a timeout, cancellation, and a client used from a second loop."""

import asyncio
import inspect
import os
import socket
import time
import unittest
from unittest import mock

import test_client
import test_operators
from async_bridge import Bridged
from support import ServerTestCase, free_port, jobq, unique

DEADLINE_S = 20.0


class AsyncProducing(Bridged, test_client.Producing):
    pass


class AsyncWorkerCalls(Bridged, test_client.WorkerCalls):
    pass


class AsyncWaitAndWatch(Bridged, test_client.WaitAndWatch):
    pass


class AsyncErrors(Bridged, test_client.Errors):
    pass


class AsyncAuth(Bridged, test_client.Auth):
    def test_url_and_key_come_from_the_environment(self):
        env = {"JOBQ_URL": f"http://127.0.0.1:{self.server.port}", "JOBQ_API_KEY": "pk"}
        with mock.patch.dict(os.environ, env):
            client = jobq.AsyncClient()

        async def submit():
            async with client:
                return await client.submit("a", queue=self.queue)
        self.assertEqual(asyncio.run(submit()).status, "queued")


class AsyncDeadLetters(Bridged, test_operators.DeadLetters):
    pass


class AsyncSchedules(Bridged, test_operators.Schedules):
    pass


class AsyncQueues(Bridged, test_operators.Queues):
    pass


class AsyncLimits(Bridged, test_operators.Limits):
    pass


class AsyncWebhooks(Bridged, test_operators.Webhooks):
    pass


class AsyncWebhooksOff(Bridged, test_operators.WebhooksOff):
    pass


class AsyncWorkers(Bridged, test_operators.Workers):
    pass


class AsyncPurge(Bridged, test_operators.Purge):
    pass


class AsyncStats(Bridged, test_operators.Stats):
    pass


class AsyncRoles(Bridged, test_operators.Roles):
    pass


class Native(ServerTestCase, unittest.IsolatedAsyncioTestCase):
    """AsyncClient used as an application would: on the test's own event loop."""

    store = "memory"

    async def asyncSetUp(self):
        self.client = jobq.AsyncClient(f"http://127.0.0.1:{self.server.port}")
        self.addAsyncCleanup(self.client.close)

    async def in_time(self, awaitable):
        return await asyncio.wait_for(awaitable, DEADLINE_S)

    async def test_watch_is_an_async_iterator_of_the_life_of_a_job(self):
        job = await self.client.submit("w", queue=self.queue)
        seen = []

        async def watch():
            async with await self.client.watch(job.id, timeout=DEADLINE_S) as changes:
                async for event, state in changes:
                    seen.append((event, state))
                    if event == "snapshot":
                        snapshot.set()

        snapshot = asyncio.Event()
        watching = asyncio.create_task(watch())
        await self.in_time(snapshot.wait())
        token = (await self.client.lease("w1", queues=self.queue))[0].lease_token
        await self.client.progress(job.id, token, progress=30)
        await self.client.complete(job.id, token, {"ok": 1})
        await self.in_time(watching)  # the stream ends by itself once the job is completed
        names = [e for e, _ in seen]
        self.assertEqual((names[0], names[-1]), ("snapshot", "completed"))
        self.assertIn("started", names)
        self.assertEqual(seen[0][1].status, jobq.JobStatus.QUEUED)
        self.assertEqual(seen[-1][1].result, {"ok": 1})

    async def test_events_filter_and_close(self):
        stream = await self.client.events(queue=self.queue, event=["submitted"], timeout=DEADLINE_S)
        await self.client.submit("w", queue=unique("other"))
        job = await self.client.submit("w", queue=self.queue)
        event, seen = await self.in_time(stream.__anext__())
        await stream.aclose()
        self.assertEqual((event, seen.id), ("submitted", job.id))
        with self.assertRaises(StopAsyncIteration):
            await stream.__anext__()

    async def test_a_silent_stream_fails_after_its_timeout(self):
        stream = await self.client.events(queue=unique("quiet"), timeout=0.3)  # keep-alives come every 15 s
        with self.assertRaises(jobq.ConnectionFailed) as caught:
            await self.in_time(stream.__anext__())
        self.assertIn("nothing for 0.3 s", str(caught.exception))
        await stream.aclose()

    async def test_watch_of_an_unknown_job_is_not_found_at_once(self):
        with self.assertRaises(jobq.NotFound):
            await self.client.watch("0190b6f2-0000-7000-8000-000000000000")

    async def test_iter_jobs_walks_every_page(self):
        ids = [j.id for j in await self.client.submit_many([{"type": "a", "queue": self.queue}] * 5)]
        walked = [j.id async for j in self.client.iter_jobs(page_size=2, queue=self.queue, order="asc")]
        self.assertEqual(walked, ids)

    async def test_many_calls_at_once_share_a_bounded_pool(self):
        jobs = await self.in_time(asyncio.gather(*(self.client.submit("a", queue=self.queue) for _ in range(40))))
        self.assertEqual(len({j.id for j in jobs}), 40)
        idle = self.client._http.idle_connections()
        self.assertGreaterEqual(len(idle), 1)
        self.assertLessEqual(len(idle), self.client._http.MAX_IDLE)
        kept = idle[-1]
        await self.client.get(jobs[0].id)  # one call after another takes the newest idle connection
        self.assertIs(self.client._http.idle_connections()[-1], kept)
        await self.client.close()
        self.assertEqual(self.client._http.idle_connections(), [])

    async def test_a_server_that_never_answers_is_connection_failed_after_the_timeout(self):
        with socket.create_server(("127.0.0.1", 0)) as silent:  # connects (the backlog), never answers
            client = jobq.AsyncClient(f"http://127.0.0.1:{silent.getsockname()[1]}", timeout=0.3)
            self.addAsyncCleanup(client.close)
            started = time.monotonic()
            with self.assertRaises(jobq.ConnectionFailed) as caught:
                await self.in_time(client.get("x"))
        self.assertIn("no answer within 0.3 s", str(caught.exception))
        self.assertLess(time.monotonic() - started, 5.0)
        self.assertEqual(client._http.idle_connections(), [])

    async def test_a_cancelled_call_leaves_the_client_usable(self):
        lease = asyncio.create_task(self.client.lease("w1", queues=[unique("empty")], wait_ms=10_000))
        await asyncio.sleep(0)  # let it send; cancelling it must drop its half-used connection
        lease.cancel()
        with self.assertRaises(asyncio.CancelledError):
            await lease
        job = await self.in_time(self.client.submit("a", queue=self.queue))
        self.assertEqual((await self.client.get(job.id)).id, job.id)

    async def test_an_unreachable_server_is_connection_failed(self):
        client = jobq.AsyncClient(f"http://127.0.0.1:{free_port()}")
        self.addAsyncCleanup(client.close)
        with self.assertRaises(jobq.ConnectionFailed):
            await client.get("x")


class Parity(unittest.TestCase):
    def test_every_call_of_client_is_a_coroutine_of_async_client_with_the_same_parameters(self):
        public = {n for n in dir(jobq.Client) if not n.startswith("_")} - {"url"}
        self.assertEqual(public, {n for n in dir(jobq.AsyncClient) if not n.startswith("_")} - {"url"})
        for name in sorted(public):
            with self.subTest(call=name):
                sync, other = getattr(jobq.Client, name), getattr(jobq.AsyncClient, name)
                self.assertEqual(inspect.signature(sync).parameters.keys(), inspect.signature(other).parameters.keys())
                if name != "iter_jobs":  # an async generator: async for, not await
                    self.assertTrue(inspect.iscoroutinefunction(other))


class SecondLoop(ServerTestCase):
    store = "memory"

    def test_a_client_used_from_two_loops_one_after_the_other_works_on_both(self):
        client = jobq.AsyncClient(f"http://127.0.0.1:{self.server.port}")
        queue = self.queue
        first = asyncio.run(client.submit("a", queue=queue))  # leaves a pooled connection of that loop
        self.assertEqual(len(client._http.idle_connections()), 1)

        async def second():
            try:
                return await client.get(first.id)
            finally:
                await client.close()
        self.assertEqual(asyncio.run(second()).id, first.id)


if __name__ == "__main__":
    unittest.main()
