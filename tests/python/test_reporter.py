"""The worker's reporter on a fake client: outcomes that finish while a call is on the wire go together
in the next /ack, and a refused entry is handled without touching the others."""

import threading
import unittest
from unittest import mock

import support  # noqa: F401  (puts clients/python first on sys.path)
from jobq.errors import ConnectionFailed, PayloadTooLarge
from jobq.reporter import Reporter

DEADLINE_S = 10


class Ctx:
    def __init__(self, n):
        self.id, self.lease_token = f"job-{n}", f"token-{n}"


class FakeClient:
    """Records each ack's ids; the first call waits for `release` (set at once if released) so that
    others pile up behind it."""

    def __init__(self, answer=None, raise_first=None, released=False):
        self.calls = []
        self.first_call_started = threading.Event()
        self.release = threading.Event()
        if released:
            self.release.set()
        self.answer = answer or (lambda entry, kind: {"id": entry["id"], "ok": True})
        self.raise_first = raise_first

    def ack(self, complete=(), fail=(), ids_only=False):
        assert ids_only, "the worker never needs the acknowledged jobs back"
        self.calls.append(([c["id"] for c in complete], [f["id"] for f in fail], list(fail)))
        if len(self.calls) == 1:
            self.first_call_started.set()
            assert self.release.wait(DEADLINE_S)
            if self.raise_first:
                raise self.raise_first
        return [self.answer(c, "complete") for c in complete] + [self.answer(f, "fail") for f in fail]

    def ack_and_lease(self, worker_id, complete=(), fail=(), max_jobs=1, **lease):
        results = self.ack(complete, fail, ids_only=True)
        self.calls[-1] += (max_jobs,)
        return results, [{"id": f"leased-{n}"} for n in range(max_jobs)], None


class FakeLeaser:
    """The worker's side: room for `room` jobs on the first ask, none after."""

    def __init__(self, room):
        self.room = room
        self.leased_calls = []
        self.idle = threading.Event()

    def lease_ask(self):
        room, self.room = self.room, 0
        return {"worker_id": "w", "max_jobs": room} if room else None

    def leased(self, jobs, asked):
        self.leased_calls.append(([j["id"] for j in jobs], asked))

    def reporter_idle(self):
        self.idle.set()


def started(client, leaser=None):
    reporter = Reporter(client, leaser=leaser)
    reporter.start()
    return reporter


class ReporterTest(unittest.TestCase):
    def send_first(self, reporter, client, n):
        """Sends job-n's completion and waits until the first call, the one that carries it, is on the wire."""
        reporter.send(Ctx(n), "complete", {"result": n})
        self.assertTrue(client.first_call_started.wait(DEADLINE_S))

    def test_outcomes_that_finish_during_a_call_share_the_next_ack(self):
        client = FakeClient()
        reporter = started(client)
        self.send_first(reporter, client, 0)
        for n in range(1, 6):
            reporter.send(Ctx(n), "complete", {"result": n})
        reporter.send(Ctx(6), "fail", {"error": "boom", "traceback": None, "retryable": True})
        client.release.set()
        reporter.stop()
        self.assertEqual(len(client.calls), 2)
        self.assertEqual(client.calls[0][:2], (["job-0"], []))
        self.assertEqual(client.calls[1][:2], ([f"job-{n}" for n in range(1, 6)], ["job-6"]))

    @mock.patch("jobq.reporter.RETRY_PAUSE_S", 0.01)
    def test_an_unreachable_server_is_tried_again_with_the_same_batch(self):
        client = FakeClient(raise_first=ConnectionFailed("down"))
        reporter = started(client)
        self.send_first(reporter, client, 0)
        client.release.set()
        reporter.stop()
        self.assertEqual([c[:2] for c in client.calls], [(["job-0"], []), (["job-0"], [])])

    def test_a_refused_result_fails_only_its_own_job_for_good(self):
        def answer(entry, kind):
            if kind == "complete" and entry["id"] == "job-2":
                return {"id": "job-2", "ok": False, "error": {"code": "payload_too_large", "message": "big"}}
            return {"id": entry["id"], "ok": True}

        client = FakeClient(answer=answer, released=True)
        reporter = started(client)
        self.send_first(reporter, client, 1)
        reporter.send(Ctx(2), "complete", {"result": "x" * 10})
        reporter.stop()
        sent_fails = [f for call in client.calls for f in call[2]]
        self.assertEqual([f["id"] for f in sent_fails], ["job-2"])
        self.assertFalse(sent_fails[0]["retryable"])
        self.assertIn("refused the result", sent_fails[0]["error"])

    def test_a_body_refused_whole_is_sent_again_one_outcome_at_a_time(self):
        client = FakeClient(raise_first=PayloadTooLarge("body too large", status=413, code="payload_too_large"))
        reporter = started(client)
        self.send_first(reporter, client, 0)
        reporter.send(Ctx(1), "complete", {"result": 1})
        reporter.send(Ctx(2), "complete", {"result": 2})
        client.release.set()
        reporter.stop()
        # The first call (job-0 alone) was refused: job-0 fails for good, in the next call beside
        # 1 and 2, which the fake accepts.
        self.assertEqual(len(client.calls), 2)
        self.assertEqual(client.calls[1][:2], (["job-1", "job-2"], ["job-0"]))
        self.assertFalse(client.calls[1][2][0]["retryable"])

    def test_an_ack_leases_for_the_free_slots_and_hands_the_jobs_over(self):
        client = FakeClient(released=True)
        leaser = FakeLeaser(room=3)
        reporter = started(client, leaser=leaser)
        reporter.send(Ctx(0), "complete", {"result": 0})
        self.assertTrue(leaser.idle.wait(DEADLINE_S), "told idle once nothing is left to send")
        reporter.send(Ctx(1), "complete", {"result": 1})
        reporter.stop()
        self.assertEqual(client.calls[0][:2] + client.calls[0][3:], (["job-0"], [], 3))
        self.assertEqual(len(client.calls[1]), 3, "no room left: a plain ack")
        self.assertEqual(leaser.leased_calls, [(["leased-0", "leased-1", "leased-2"], 3)])

    @mock.patch("jobq.reporter.RETRY_PAUSE_S", 0.01)
    def test_a_failed_call_gives_its_lease_back_and_the_retry_leases_nothing(self):
        client = FakeClient(raise_first=ConnectionFailed("down"), released=True)
        leaser = FakeLeaser(room=2)
        reporter = started(client, leaser=leaser)
        reporter.send(Ctx(0), "complete", {"result": 0})
        reporter.stop()
        self.assertEqual([c[:2] for c in client.calls], [(["job-0"], []), (["job-0"], [])])
        self.assertEqual(leaser.leased_calls, [([], 2)], "the slots asked for are free again")

    @mock.patch("jobq.reporter.RETRY_PAUSE_S", 0.01)
    def test_an_entry_the_store_did_not_write_is_sent_again(self):
        tries = []

        def answer(entry, kind):
            tries.append(entry["id"])
            if entry["id"] == "job-1" and tries.count("job-1") == 1:
                return {"id": "job-1", "ok": False, "error": {"code": "unavailable", "message": "disk"}}
            return {"id": entry["id"], "ok": True}

        client = FakeClient(answer=answer, released=True)
        reporter = started(client)
        self.send_first(reporter, client, 1)
        reporter.stop()
        self.assertEqual(tries, ["job-1", "job-1"])


if __name__ == "__main__":
    unittest.main()
