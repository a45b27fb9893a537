"""jobq.AsyncWorker: async def handlers run concurrently on one loop, report progress, and see a
cancel request as the cancellation of their task."""

import asyncio
import threading
import unittest

from support import DEADLINE_S, WorkerTestCase, jobq


class AsyncHandlers(WorkerTestCase):
    def test_async_handlers_run_together_and_complete(self):
        worker = self.new_worker(jobq.AsyncWorker, concurrency=4)
        arrived = []

        @worker.handler("gather")
        async def gather(job):
            arrived.append(job.id)
            # Every handler waits for all four: they can only finish if they run at the same time.
            for _ in range(int(DEADLINE_S / 0.01)):
                if len(arrived) == 4:
                    break
                await asyncio.sleep(0.01)
            job.progress(100, "together")
            return {"seen": len(arrived), "thread": threading.current_thread().name}

        jobs = self.client.submit_many([{"type": "gather", "queue": self.queue} for _ in range(4)])
        self.start_worker(worker)
        for j in jobs:
            done = self.finished(j.id)
            self.assertEqual(done.status, "completed")
            self.assertEqual(done.result, {"seen": 4, "thread": "jobq-asyncio"})
            self.assertEqual((done.progress, done.progress_message), (100, "together"))

    def test_an_async_exception_fails_the_job_with_its_traceback(self):
        worker = self.new_worker(jobq.AsyncWorker)

        @worker.handler("broken")
        async def broken(job):
            await asyncio.sleep(0)
            raise KeyError("missing")

        self.start_worker(worker)
        done = self.finished(self.client.submit("broken", queue=self.queue, max_attempts=1).id)
        self.assertEqual(done.status, "failed")
        self.assertEqual(done.error["message"], "KeyError: 'missing'")
        self.assertIn("in broken", done.error["traceback"])

    def test_a_cancel_cancels_the_handler_task(self):
        worker = self.new_worker(jobq.AsyncWorker, lease_s=3)
        started, seen = threading.Event(), []

        @worker.handler("sleepy")
        async def sleepy(job):
            started.set()
            try:
                await asyncio.sleep(DEADLINE_S * 3)
            except asyncio.CancelledError:
                seen.append("cancelled")
                raise
            return "slept"

        self.start_worker(worker)
        job = self.client.submit("sleepy", queue=self.queue)
        self.assertTrue(started.wait(DEADLINE_S))
        self.client.cancel(job.id)
        done = self.finished(job.id)
        self.assertEqual(done.status, "cancelled")
        self.assertEqual(seen, ["cancelled"])


if __name__ == "__main__":
    unittest.main()
