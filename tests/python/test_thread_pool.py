"""The worker's thread pool: threads are reused, and a new one starts only when none is idle."""

import threading
import unittest

from support import wait_until
from jobq.thread_pool import ThreadPool

DEADLINE_S = 10


class ThreadPoolTest(unittest.TestCase):
    def test_tasks_one_after_another_reuse_one_thread(self):
        pool = ThreadPool("test")
        self.addCleanup(pool.close)
        names = []
        for _ in range(20):
            done = threading.Event()
            pool.submit(lambda d=done: (names.append(threading.current_thread().name), d.set()))
            self.assertTrue(done.wait(DEADLINE_S))
        self.assertEqual(len(names), 20)
        self.assertEqual(set(names), {"test-1"})

    def test_tasks_that_overlap_run_side_by_side(self):
        pool = ThreadPool("test")
        self.addCleanup(pool.close)
        barrier = threading.Barrier(4, timeout=DEADLINE_S)
        passed = []
        for _ in range(4):
            pool.submit(lambda: passed.append(barrier.wait()))
        # A pool that ran them one at a time would break the barrier, and nothing would be appended.
        wait_until(lambda: len(passed) == 4, timeout=DEADLINE_S)
        self.assertEqual(sorted(passed), [0, 1, 2, 3])

    def test_a_closed_pool_refuses_tasks(self):
        pool = ThreadPool("test")
        pool.close()
        with self.assertRaises(RuntimeError):
            pool.submit(print)


if __name__ == "__main__":
    unittest.main()
