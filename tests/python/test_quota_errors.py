"""A submit over its user's quota raises jobq.QuotaExceeded, with the seconds until there is room;
on the Client and the AsyncClient alike."""

import asyncio
import unittest

from support import ClientTestCase, config_file, jobq, unique


class QuotaExceededRaised(ClientTestCase):
    @classmethod
    def setUpClass(cls):
        path = config_file(cls, 'default_tier = "free"\n'
                                '[tiers.free]\nsubmits = { count = 2, period_ms = 3600000 }\n')
        cls.server_args = ("--config", path)
        super().setUpClass()

    def test_the_third_submit_raises_with_retry_after(self):
        user = unique("u")
        first = self.client.submit("t", queue=self.queue, user_id=user)
        self.assertEqual(first.tier, "free", "the default tier, kept on the job")
        self.client.submit("t", queue=self.queue, user_id=user, tier="free")
        with self.assertRaises(jobq.QuotaExceeded) as raised:
            self.client.submit("t", queue=self.queue, user_id=user)
        e = raised.exception
        self.assertEqual(e.status, 429)
        self.assertEqual(e.code, "quota_exceeded")
        self.assertEqual(e.details["field"], "user_id")
        self.assertIsNotNone(e.retry_after)
        self.assertTrue(0 < e.retry_after <= 1800, e.retry_after)  # one back every half hour
        self.assertIsInstance(e, jobq.JobqError)

    def test_more_than_the_quota_at_once_has_no_retry_after(self):
        with self.assertRaises(jobq.QuotaExceeded) as raised:
            self.client.submit_many([{"type": "t", "queue": self.queue, "user_id": unique("u")}] * 3)
        self.assertIsNone(raised.exception.retry_after)

    def test_the_async_client_raises_it_too(self):
        user = unique("u")

        async def go():
            async with jobq.AsyncClient(url=f"http://127.0.0.1:{self.server.port}") as client:
                await client.submit_many([{"type": "t", "queue": self.queue, "user_id": user}] * 2)
                with self.assertRaises(jobq.QuotaExceeded):
                    await client.submit("t", queue=self.queue, user_id=user)

        asyncio.run(go())


if __name__ == "__main__":
    unittest.main()
