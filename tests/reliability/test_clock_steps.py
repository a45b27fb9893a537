"""The wall clock stepped an hour forward and back while jobqd runs (libfaketime, monotonic time
left alone): no lease expires early, and none lasts an hour longer. Skipped without libfaketime."""

import os
import tempfile
import time
import unittest
from pathlib import Path

from support import LIBFAKETIME, Server, fake_wall_clock, unique, wait_until

LEASE_MS = 3000


class ClockSteps(unittest.TestCase):
    def start_with_fake_wall_clock(self):
        if not os.path.exists(LIBFAKETIME):
            raise unittest.SkipTest(f"{LIBFAKETIME} is missing (Debian's libfaketime)")
        offset = Path(tempfile.mkdtemp(prefix="jobq-clock-")) / "offset"
        offset.write_text("+0\n")
        with fake_wall_clock(offset):
            server = Server(store="sqlite")
        self.addCleanup(server.close)
        return server, offset

    def test_leases_follow_elapsed_time_not_the_wall_clock(self):
        server, offset = self.start_with_fake_wall_clock()
        api = server.api()
        self.addCleanup(api.close)
        queue = unique()
        job = api.submit(type="t", queue=queue)
        leased = api.lease_one("w", queues=[queue], lease_ms=LEASE_MS)
        leased_at = time.monotonic()
        hour_before = time.gmtime().tm_hour

        offset.write_text("+1h\n")  # forward: a lease read against the wall would be over now
        wait_until(lambda: self.logged_hour(server, api) == (hour_before + 1) % 24, timeout=5,
                   message="jobqd to see the wall clock an hour ahead (its log's time)")
        self.assertEqual(api.status_of(job["id"]), "running")
        beat = api.heartbeat(job["id"], leased["lease_token"])  # renews for LEASE_MS from now
        self.assertFalse(beat["cancel_requested"])
        renewed_at = time.monotonic()
        self.assertLess(renewed_at - leased_at, LEASE_MS / 1000, "the test itself was too slow")

        offset.write_text("-1h\n")  # back: a lease read against the wall would last an hour more
        wait_until(lambda: self.logged_hour(server, api) == (hour_before - 1) % 24, timeout=5,
                   message="jobqd to see the wall clock an hour behind")
        self.assertEqual(api.status_of(job["id"]), "running")
        wait_until(lambda: api.status_of(job["id"]) == "queued", timeout=LEASE_MS / 1000 + 10,
                   message="the lease to run out after its own 3 s")
        self.assertGreaterEqual(time.monotonic() - renewed_at, LEASE_MS / 1000 - 0.1,
                                "the lease ran out early")
        server.stop()

    @staticmethod
    def logged_hour(server, api):
        """The hour of the newest line in jobqd's log: spdlog stamps lines with the wall clock."""
        api.request("GET", "/health", absolute=True)
        lines = [l for l in server.log().splitlines() if l.startswith("20") and l[10:11] == "T"]
        return int(lines[-1][11:13]) if lines else None


if __name__ == "__main__":
    unittest.main()
