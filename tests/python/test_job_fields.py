"""A Job's typed fields against a real jobqd: status a JobStatus that still equals its text, times
aware UTC datetimes, errors JobErrors; and the JSON underneath left as the server sent it."""

import json
import unittest
from datetime import datetime, timedelta, timezone

from support import ClientTestCase, jobq, unique
from jobq.job import parse_time


class JobFields(ClientTestCase):
    store = "memory"

    def test_status_is_a_str_enum_that_equals_its_text(self):
        job = self.client.submit("t", queue=self.queue)
        self.assertIs(job.status, jobq.JobStatus.QUEUED)
        self.assertEqual(job.status, "queued")
        self.assertEqual(f"{job.status}/{job.status!s}", "queued/queued")
        self.assertIn(job.status, {"queued", "running"})
        self.assertEqual(job["status"], "queued")  # the JSON stays as sent
        self.assertFalse(job.finished or job.status.finished)
        cancelled = self.client.cancel(job.id)
        self.assertTrue(cancelled.finished and cancelled.status.finished)
        self.assertEqual(jobq.JobStatus("failed"), jobq.JobStatus.FAILED)
        with self.assertRaises(ValueError):
            jobq.JobStatus("done")

    def test_times_are_aware_utc_datetimes_near_now(self):
        before = datetime.now(timezone.utc) - timedelta(seconds=5)
        job = self.client.submit("t", queue=self.queue, delay_ms=60_000)
        after = datetime.now(timezone.utc) + timedelta(seconds=5)
        for name in ("created_at", "updated_at", "run_at"):
            with self.subTest(field=name):
                value = getattr(job, name)
                self.assertIsInstance(value, datetime)
                self.assertEqual(value.utcoffset(), timedelta(0))
                self.assertIsInstance(job[name], str)
        self.assertTrue(before <= job.created_at <= after)
        self.assertAlmostEqual((job.run_at - job.created_at).total_seconds(), 60, delta=1)
        self.assertIsNone(job.started_at)
        self.assertIsNone(job.completed_at)
        self.assertEqual(json.loads(json.dumps(job))["created_at"], job["created_at"])

    def test_a_leased_and_failed_job_has_its_lease_and_error_typed(self):
        job = self.client.submit("t", queue=self.queue, max_attempts=1)
        leased = self.client.lease(unique("w"), queues=[self.queue])[0]
        self.assertIsInstance(leased.lease_token, str)
        self.assertIsInstance(leased.lease_expires_at, datetime)
        self.assertIsInstance(leased.started_at, datetime)
        self.assertEqual(leased.attempt, 1)
        failed = self.client.fail(job.id, leased.lease_token, "boom", traceback="tb")
        self.assertIs(failed.status, jobq.JobStatus.FAILED)
        self.assertIsInstance(failed.error, jobq.JobError)
        self.assertEqual((failed.error.message, failed.error.traceback, failed.error.attempt), ("boom", "tb", 1))
        self.assertIsInstance(failed.error.at, datetime)
        self.assertEqual([e.message for e in failed.errors], ["boom"])
        self.assertIsInstance(failed.completed_at or failed.updated_at, datetime)

    def test_a_field_left_out_reads_as_none_and_lists_as_empty(self):
        job = jobq.Job({"id": "x"})
        self.assertEqual((job.id, job.status, job.created_at, job.error), ("x", None, None, None))
        self.assertEqual((job.tags, job.errors, job.depends_on), ([], [], []))
        self.assertFalse(job.cancel_requested)


class ParseTime(unittest.TestCase):
    def test_the_apis_two_forms_and_offsets(self):
        utc = timezone.utc
        self.assertEqual(parse_time("2026-11-22T10:04:05.123Z"), datetime(2026, 11, 22, 10, 4, 5, 123000, utc))
        self.assertEqual(parse_time(0), datetime(1970, 1, 1, tzinfo=utc))
        self.assertEqual(parse_time("2026-11-22T12:04:05+02:00"), datetime(2026, 11, 22, 10, 4, 5, tzinfo=utc))
        self.assertIsNone(parse_time(None))
        for bad in ("yesterday", True, [1]):
            with self.subTest(value=bad), self.assertRaises(ValueError):
                parse_time(bad)


if __name__ == "__main__":
    unittest.main()
