"""Durability on the sqlite store: a restart (SIGTERM or SIGKILL) keeps every job that was answered."""

import http.client
import threading
import unittest

from jobqd import FreshServerTestCase, run_in_thread, unique, wait_until

# What must survive a restart unchanged; lease_expires_at is renewed from the restart instead.
KEPT_FIELDS = ("id", "type", "queue", "priority", "payload", "status", "attempt", "max_attempts", "backoff",
               "timeout_ms", "run_at", "worker_id", "cancel_requested", "result", "errors", "user_id", "tags",
               "idempotency_key", "progress", "stage", "progress_message", "created_at", "started_at",
               "completed_at")


def snapshot(api, ids):
    return {job_id: api.get(job_id) for job_id in ids}


class SqliteServerCase(FreshServerTestCase):
    """A fresh jobqd on a sqlite file for each test, with a queue of its own."""

    store = "sqlite"

    def setUp(self):
        super().setUp()
        self.queue = unique("q")


class RestartKeepsEveryJob(SqliteServerCase):
    def assert_same_jobs(self, before):
        for job_id, old in before.items():
            new = self.api.get(job_id)
            for field in KEPT_FIELDS:
                self.assertEqual(new.get(field), old.get(field), f"job {job_id} field {field}")
            if old["status"] == "running":
                self.assertTrue(new["lease_expires_at"], f"running job {job_id} lost its lease")

    def test_sigterm_and_start_again_keeps_every_job_and_lease(self):
        q = self.queue
        ids = []
        for i in range(50):
            fields = {"type": "t", "queue": q, "payload": {"i": i}, "priority": i % 5 * 20,
                      "tags": [f"tag{i % 3}"], "user_id": f"user{i % 4}"}
            if i % 10 == 9:
                fields["delay_ms"] = 600000
            ids.append(self.api.submit(**fields)["id"])
        leased = self.api.lease("w1", queues=[q], max_jobs=10, lease_ms=60000)
        self.assertEqual(len(leased), 10)
        self.api.heartbeat(leased[0]["id"], leased[0]["lease_token"], progress=30, stage="halfway",
                           progress_message="still going")
        for job in leased[1:4]:
            self.api.complete(job["id"], job["lease_token"], {"done": job["payload"]})
        for job in leased[4:6]:
            self.api.fail(job["id"], job["lease_token"], "broken", traceback="tb", retryable=False)
        self.api.cancel(leased[6]["id"])  # running: cancel requested
        queued = [j["id"] for j in self.api.list_all(queue=q, status="queued", sort="created_at", order="asc")]
        for job_id in queued[:2]:
            self.api.cancel(job_id)
        still_running = [leased[0], leased[6], *leased[7:]]

        before = snapshot(self.api, ids)
        stats_before = self.api.stats()["by_status"]
        self.assertEqual(sum(1 for j in before.values() if j["status"] == "running"), len(still_running))

        self.server.restart()

        self.assertEqual(self.api.stats()["by_status"], stats_before)
        self.assertEqual(sorted(j["id"] for j in self.api.list_all(queue=q)), sorted(ids))
        self.assert_same_jobs(before)

        # The workers carry on with the tokens they had.
        hb = self.api.heartbeat(leased[0]["id"], leased[0]["lease_token"], progress=60)
        self.assertIs(hb["cancel_requested"], False)
        self.assertIs(self.api.heartbeat(leased[6]["id"], leased[6]["lease_token"])["cancel_requested"], True)
        for job in still_running:
            if job is leased[6]:
                self.assertEqual(self.api.fail(job["id"], job["lease_token"], "stopping")["status"], "cancelled")
            else:
                done = self.api.complete(job["id"], job["lease_token"], "after restart")
                self.assertEqual(done["status"], "completed")

        # The ready index was rebuilt: exactly the queued jobs are leasable, best priority first.
        ready = [before[i] for i in ids if before[i]["status"] == "queued"]
        expected = [j["id"] for j in sorted(ready, key=lambda j: (-j["priority"], j["created_at"]))]
        got = self.api.lease("w2", queues=[q], max_jobs=1000, lease_ms=60000)
        self.assertEqual([j["id"] for j in got], expected)
        self.assertTrue(all(j["attempt"] == 1 for j in got))

    def test_two_restarts_in_a_row(self):
        specs = [{"type": "t", "queue": self.queue, "payload": n} for n in range(20)]
        ids = [j["id"] for j in self.api.submit_batch(specs)]
        before = snapshot(self.api, ids)
        self.server.restart()
        self.server.restart()
        self.assert_same_jobs(before)

    def test_idempotency_keys_survive_a_restart(self):
        key = unique("idem")
        first = self.api.submit(type="t", queue=self.queue, idempotency_key=key)
        self.server.restart()
        status, again, _ = self.api.request("POST", "/jobs", {"type": "t", "queue": self.queue, "idempotency_key": key})
        self.assertEqual(status, 200, again)
        self.assertEqual(again["id"], first["id"])


class SigkillKeepsEveryAnsweredWrite(SqliteServerCase):
    ROUNDS = 3
    SUBMITTERS = 3
    ANSWERED_PER_ROUND = 60

    def submit_until_stopped(self, answered, lock, stop, thread_no):
        """Submits until told to stop or the server goes away; records each answered submit."""
        api = self.server.api(timeout=10)
        n = 0
        try:
            while not stop.is_set():
                payload = {"thread": thread_no, "n": n}
                status, job, _ = api.request("POST", "/jobs", {"type": "t", "queue": self.queue, "payload": payload})
                if status != 201:
                    raise AssertionError(f"submit answered {status}: {job!r}")
                with lock:
                    answered[job["id"]] = payload
                n += 1
        except (OSError, http.client.HTTPException):
            pass  # the server was killed under us: that submit was never answered
        finally:
            api.close()

    def test_every_answered_submit_survives_sigkill(self):
        # Some worker traffic first: answered completions must survive too.
        self.api.submit_batch([{"type": "t", "queue": self.queue, "payload": "early"} for _ in range(5)])
        leased = self.api.lease("w", queues=[self.queue], max_jobs=5, lease_ms=600000)
        completed = [j["id"] for j in leased[:3]]
        for job in leased[:3]:
            self.api.complete(job["id"], job["lease_token"], {"by": "w"})
        running = leased[3:]

        answered, lock = {}, threading.Lock()
        for round_no in range(self.ROUNDS):
            stop = threading.Event()
            target = len(answered) + self.ANSWERED_PER_ROUND
            threads = [run_in_thread(self.submit_until_stopped, answered, lock, stop, t)
                       for t in range(self.SUBMITTERS)]
            try:
                wait_until(lambda: len(answered) >= target, timeout=30.0,
                           message=f"{self.ANSWERED_PER_ROUND} answered submits in round {round_no}")
                self.server.kill()
            finally:
                stop.set()
                for t in threads:
                    t.result(timeout=30)
            self.server.start()

            with lock:
                expected = dict(answered)
            for job_id, payload in expected.items():
                status, job, _ = self.api.request("GET", f"/jobs/{job_id}")
                self.assertEqual(status, 200, f"answered submit {job_id} lost after SIGKILL in round {round_no}")
                self.assertEqual(job["payload"], payload)
                self.assertEqual(job["status"], "queued")
            for job_id in completed:
                self.assertEqual(self.api.status_of(job_id), "completed")

        for job in running:
            self.assertEqual(self.api.status_of(job["id"]), "running")
            self.api.complete(job["id"], job["lease_token"], "after three crashes")


if __name__ == "__main__":
    unittest.main()
