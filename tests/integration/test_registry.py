"""The workers registry (beats, scale, quiet, stop, lost) and queues (list, pause, resume, durable
pause), against a real jobqd."""

import http.client
import json
import time
import unittest
import urllib.parse

from jobqd import (ServerTestCase, assert_error, own_server, request_read_by_server, run_in_thread, timed, unique,
                   wait_until)

WORKER_FIELDS = {"id", "host", "pid", "version", "types", "queues", "concurrency", "running", "state",
                 "first_seen_at", "last_beat_at"}


class Workers(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.worker = unique("w")

    def beat(self, worker=None, **fields):
        return self.api.call("POST", f"/workers/{worker or self.worker}/beat", fields)

    def listed(self, worker=None):
        workers = {w["id"]: w for w in self.api.call("GET", "/workers")["workers"]}
        return workers.get(worker or self.worker)

    def test_a_beat_registers_the_worker(self):
        answer = self.beat(types=["email", "pdf"], queues=["default", self.queue], concurrency=4,
                           running=1, host="host-1", pid=4321, version="1.2.3")
        self.assertEqual(answer, {"command": "run", "concurrency": 4})
        w = self.listed()
        self.assertIsNotNone(w, "GET /workers must list a worker after its beat")
        self.assertEqual(set(w), WORKER_FIELDS)
        self.assertEqual(w["id"], self.worker)
        self.assertEqual((w["host"], w["pid"], w["version"]), ("host-1", 4321, "1.2.3"))
        self.assertEqual(w["types"], ["email", "pdf"])
        self.assertEqual(w["queues"], ["default", self.queue])
        self.assertEqual((w["concurrency"], w["running"], w["state"]), (4, 1, "active"))
        self.assertTrue(w["first_seen_at"].endswith("Z"))
        self.assertEqual(w["first_seen_at"], w["last_beat_at"])

    def test_a_later_beat_updates_the_worker(self):
        self.beat(concurrency=2, running=0, host="h")
        first = self.listed()
        wait_until(lambda: self.beat(concurrency=2, running=2, host="h") and
                   self.listed()["last_beat_at"] > first["last_beat_at"], timeout=5.0,
                   message="a later beat with a later last_beat_at")
        w = self.listed()
        self.assertEqual(w["first_seen_at"], first["first_seen_at"])
        self.assertEqual(w["running"], 2)

    def test_scale_answers_the_next_beat_with_the_new_concurrency(self):
        self.beat(concurrency=4)
        scaled = self.api.call("POST", f"/workers/{self.worker}/scale", {"concurrency": 9})
        self.assertEqual((scaled["id"], scaled["concurrency"]), (self.worker, 9))
        self.assertEqual(self.beat(concurrency=4), {"command": "run", "concurrency": 9})
        self.assertEqual(self.listed()["concurrency"], 9)

    def test_quiet_answers_the_next_beat_quiet(self):
        self.beat(concurrency=3)
        quiet = self.api.call("POST", f"/workers/{self.worker}/quiet")
        self.assertEqual(quiet["state"], "quiet")
        self.assertEqual(self.beat(concurrency=3)["command"], "quiet")
        self.assertEqual(self.listed()["state"], "quiet")

    def test_stop_answers_the_next_beat_stop_and_a_later_quiet_does_not_undo_it(self):
        self.beat()
        stopped = self.api.call("POST", f"/workers/{self.worker}/stop")
        self.assertEqual(stopped["state"], "stopping")
        self.assertEqual(self.beat()["command"], "stop")
        self.assertEqual(self.listed()["state"], "stopping")
        self.api.call("POST", f"/workers/{self.worker}/quiet")
        self.assertEqual(self.beat()["command"], "stop")
        self.assertEqual(self.listed()["state"], "stopping")

    def test_commands_to_an_unknown_worker_are_404(self):
        for path, body in (("scale", {"concurrency": 2}), ("quiet", None), ("stop", None)):
            with self.subTest(path=path):
                answer = self.api.request("POST", f"/workers/{unique('nobody')}/{path}", body)
                assert_error(self, answer, 404, "not_found")

    def test_scale_checks_the_concurrency(self):
        self.beat()
        for value in (0, 10001, "many"):
            with self.subTest(concurrency=value):
                answer = self.api.request("POST", f"/workers/{self.worker}/scale", {"concurrency": value})
                assert_error(self, answer, 400, "invalid_argument", "concurrency")
        self.assertEqual(self.listed()["concurrency"], 1)


class LostWorkers(ServerTestCase):
    store = "memory"
    server_args = ("--worker-lost-after-ms", "1000")

    def test_a_worker_whose_beats_stop_is_lost_then_active_again(self):
        worker = unique("w")

        def state():
            workers = {w["id"]: w for w in self.api.call("GET", "/workers")["workers"]}
            return workers[worker]["state"]

        self.api.call("POST", f"/workers/{worker}/beat", {})
        beat_at = time.monotonic()
        self.assertEqual(state(), "active")
        wait_until(lambda: state() == "lost", timeout=6.0, message="the worker to be shown lost")
        self.assertGreaterEqual(time.monotonic() - beat_at, 0.9, "lost before worker_lost_after_ms")
        self.api.call("POST", f"/workers/{worker}/beat", {})
        self.assertEqual(state(), "active")


def queue_entry(api, name):
    for q in api.call("GET", "/queues")["queues"]:
        if q["name"] == name:
            return q
    return None


class Queues(ServerTestCase):
    def pause(self, name):
        return self.api.call("POST", f"/queues/{urllib.parse.quote(name, safe='')}/pause")

    def resume(self, name):
        return self.api.call("POST", f"/queues/{urllib.parse.quote(name, safe='')}/resume")

    def test_list_shows_counts_and_paused(self):
        self.api.submit(type="t", queue=self.queue)
        self.api.submit(type="t", queue=self.queue)
        q = queue_entry(self.api, self.queue)
        self.assertIsNotNone(q)
        self.assertEqual(q["counts"]["queued"], 2)
        self.assertEqual(set(q["counts"]), {"waiting", "scheduled", "queued", "running", "completed",
                                            "failed", "cancelled"})
        self.assertIs(q["paused"], False)

    def test_an_empty_paused_queue_is_listed(self):
        self.assertIsNone(queue_entry(self.api, self.queue))
        answer = self.pause(self.queue)
        self.assertEqual((answer["name"], answer["paused"]), (self.queue, True))
        self.assertIs(queue_entry(self.api, self.queue)["paused"], True)
        self.resume(self.queue)
        self.assertIsNone(queue_entry(self.api, self.queue))

    def test_a_paused_queue_leases_nothing_while_others_do(self):
        other = unique("q")
        self.pause(self.queue)
        held = self.api.submit(type="t", queue=self.queue)  # a paused queue takes submits
        free = self.api.submit(type="t", queue=other)
        self.assertEqual(self.api.lease("w1", queues=[self.queue]), [])
        leased = self.api.lease("w1", queues=[self.queue, other], max_jobs=10)
        self.assertEqual([j["id"] for j in leased], [free["id"]])
        self.assertEqual(self.api.status_of(held["id"]), "queued")
        q = queue_entry(self.api, self.queue)
        self.assertEqual((q["paused"], q["counts"]["queued"]), (True, 1))
        resumed = self.resume(self.queue)
        self.assertIs(resumed["paused"], False)
        self.assertEqual(self.api.lease_one("w1", queues=[self.queue])["id"], held["id"])

    def test_resume_wakes_a_long_polling_lease_at_once(self):
        self.pause(self.queue)
        job = self.api.submit(type="t", queue=self.queue)
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        self.addCleanup(conn.close)
        body = json.dumps({"worker_id": "w1", "queues": [self.queue], "wait_ms": 5000})
        started = time.monotonic()
        conn.request("POST", "/api/v1/lease", body=body, headers={"Content-Type": "application/json"})
        wait_until(lambda: request_read_by_server(conn.sock), timeout=5.0,
                   message="the server to read the lease request")
        # A round trip through the server, so that the long poll is waiting by now.
        self.assertEqual(self.api.lease("w2", queues=[unique("q")]), [])
        resumed_at = time.monotonic()
        self.resume(self.queue)
        resp = conn.getresponse()
        answer = json.loads(resp.read())
        after_resume = time.monotonic() - resumed_at
        self.assertEqual(resp.status, 200, answer)
        self.assertEqual([j["id"] for j in answer["jobs"]], [job["id"]],
                         f"answered {time.monotonic() - started:.2f} s after it was sent")
        self.assertLess(after_resume, 1.0, "the resume must serve the waiting lease at once")

    def test_a_long_poll_on_a_paused_queue_is_not_woken_by_a_submit(self):
        self.pause(self.queue)
        worker = self.new_api()
        polling = run_in_thread(timed, worker.lease, "w1", queues=[self.queue], wait_ms=600)
        self.api.submit(type="t", queue=self.queue)
        jobs, elapsed = polling.result(timeout=20)
        self.assertEqual(jobs, [])
        self.assertGreaterEqual(elapsed, 0.55)
        self.resume(self.queue)

    def test_a_bad_queue_name_is_400(self):
        for name in ("bad name!", "x" * 129, "a/b"):
            for action in ("pause", "resume"):
                with self.subTest(name=name, action=action):
                    answer = self.api.request("POST", f"/queues/{urllib.parse.quote(name, safe='')}/{action}")
                    if name == "a/b" and answer[0] == 404:
                        continue  # %2F decoded to a slash: no such route, which is also a refusal
                    assert_error(self, answer, 400, "invalid_argument", "queue")
        self.assertNotIn("bad name!", [q["name"] for q in self.api.call("GET", "/queues")["queues"]])


class PauseSurvivesRestart(unittest.TestCase):
    def test_a_pause_survives_a_restart(self):
        server, api = own_server(self)
        queue = unique("q")
        api.call("POST", f"/queues/{queue}/pause")
        job = api.submit(type="t", queue=queue)
        server.restart()
        q = queue_entry(api, queue)
        self.assertIsNotNone(q, "a paused queue is listed after a restart")
        self.assertIs(q["paused"], True)
        self.assertEqual(api.lease("w1", queues=[queue]), [])
        api.call("POST", f"/queues/{queue}/resume")
        server.restart()
        self.assertIs(queue_entry(api, queue)["paused"], False)
        self.assertEqual(api.lease_one("w1", queues=[queue])["id"], job["id"])
        api.close()
        server.stop()


if __name__ == "__main__":
    unittest.main()
