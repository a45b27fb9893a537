"""Three jobqd nodes on one Redis (AOF, appendfsync always), a producer and a worker on each; one
node after another is killed with SIGKILL and started again under that load. No acknowledged submit
goes missing, no job is acknowledged complete twice, every job ends completed, no 5xx."""

import random
import time
import unittest

from support import Ledger, Load, RedisServer, Server, drain, rounds, unique, wait_until

LEASE_MS = 1000


class NodesKilledUnderLoad(unittest.TestCase):
    def test_sigkill_one_node_of_three_again_and_again(self):
        redis = RedisServer()
        self.addCleanup(redis.close)
        first = Server(store="redis", redis=redis)
        self.addCleanup(first.close)
        nodes = [first]
        for _ in range(2):
            nodes.append(Server(store="redis", redis=redis, redis_prefix=first.redis_prefix))
            self.addCleanup(nodes[-1].close)
        ledger, queue = Ledger(), unique()
        rng = random.Random(3)
        kills = rounds(10, 30)
        loads = [Load(node, ledger, queue, producers=1, workers=1, lease_ms=LEASE_MS) for node in nodes]
        started = time.monotonic()
        for load in loads:
            load.__enter__()
        try:
            for round_no in range(kills):
                target = ledger.count_submitted() + rng.randint(10, 60)
                wait_until(lambda: ledger.count_submitted() >= target, timeout=30, interval=0.005,
                           message=f"round {round_no}: {target} acknowledged submits")
                node = nodes[round_no % len(nodes)]
                node.kill()
                node.start()
        finally:
            for load in loads:
                load.stop()
        jobs = drain(nodes[1], ledger, queue, lease_ms=LEASE_MS)
        took = time.monotonic() - started

        missing = ledger.submitted - set(jobs)
        doubles = ledger.double_completions()
        not_done = {i: j["status"] for i, j in jobs.items() if i in ledger.submitted and j["status"] != "completed"}
        retried = sum(1 for i in ledger.submitted if jobs.get(i, {}).get("attempt", 1) > 1)
        print(f"3 nodes, {kills} SIGKILLs in {took:.1f} s: {len(ledger.submitted)} acknowledged submits, "
              f"{sum(ledger.completions.values())} acknowledged completions, {len(missing)} missing, "
              f"{len(doubles)} completed twice, {len(not_done)} not completed, {retried} run more than once "
              f"(a killed node's leases), {len(ledger.server_errors)} 5xx")
        self.assertFalse(missing, f"acknowledged submits missing: {sorted(missing)[:5]}")
        self.assertEqual(doubles, {}, "jobs acknowledged complete twice")
        self.assertEqual(not_done, {}, "acknowledged jobs that did not end completed")
        self.assertEqual(ledger.server_errors, [], "5xx answers")
        self.assertGreater(len(ledger.submitted), kills * 10)
        for node in nodes:
            node.stop()


if __name__ == "__main__":
    unittest.main()
