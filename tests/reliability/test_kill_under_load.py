"""SIGKILL and SIGTERM of jobqd (sqlite, sync=full) while producers and workers run over HTTP:
no acknowledged submit goes missing, no job is acknowledged complete twice, nothing stays stuck
running, and no request is answered 5xx."""

import random
import signal
import unittest

from support import Ledger, Load, Server, drain, rounds, unique, wait_until

LEASE_MS = 1000


class KillUnderLoad(unittest.TestCase):
    def check(self, ledger, jobs):
        missing = ledger.submitted - set(jobs)
        self.assertFalse(missing, f"{len(missing)} acknowledged submits are missing: {sorted(missing)[:5]}")
        self.assertEqual(ledger.double_completions(), {}, "jobs acknowledged complete twice")
        not_done = {i: j["status"] for i, j in jobs.items() if i in ledger.submitted and j["status"] != "completed"}
        self.assertEqual(not_done, {}, "acknowledged jobs that did not end completed")
        completed_acks = {i for i, n in ledger.completions.items() if n}
        unrecorded = {i for i in completed_acks if jobs.get(i, {}).get("status") != "completed"}
        self.assertEqual(unrecorded, set(), "acknowledged completions the store forgot")
        self.assertEqual(ledger.server_errors, [], "5xx answers")

    def run_rounds(self, n, stop):
        server = Server(store="sqlite", args=["--sync", "full"])
        self.addCleanup(server.close)
        ledger, queue = Ledger(), unique()
        rng = random.Random(n)
        for round_no in range(n):
            with Load(server, ledger, queue, lease_ms=LEASE_MS):
                target = ledger.count_submitted() + rng.randint(5, 60)
                wait_until(lambda: ledger.count_submitted() >= target, timeout=30, interval=0.005,
                           message=f"round {round_no}: {target} acknowledged submits")
                stop(server)
                server.start()
        jobs = drain(server, ledger, queue, lease_ms=LEASE_MS)
        self.check(ledger, jobs)
        self.assertGreater(len(ledger.submitted), n * 5)
        server.stop()

    def test_sigkill_under_load(self):
        self.run_rounds(rounds(5, 20), lambda server: server.kill())

    def test_sigterm_under_load(self):
        def term(server):
            server.signal(signal.SIGTERM)
            self.assertEqual(server.wait_exit(), 0, server.log_tail())
        self.run_rounds(rounds(3, 10), term)


if __name__ == "__main__":
    unittest.main()
