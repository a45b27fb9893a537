"""Live streams: one job's life over WebSocket and SSE, progress coalescing, the all-events streams
and their filters, refusals (404, 400, 401), finished jobs, and SIGTERM with watchers open.

Needs Debian's python3-websockets: run with /usr/bin/python3.
"""

import math
import signal
import time
import unittest

from jobqd import Server, ServerTestCase, unique
from live import SseWatcher, WsWatcher, log_excerpt, sanitizer_report, ws_connect_status

TERMINAL = ("completed", "failed", "cancelled", "purged")
# The server sends at most one progress message per job and watcher every 100 ms (docs/api.md).
PROGRESS_INTERVAL_S = 0.1


def names(messages):
    return [m["event"] for m in messages]


class JobLife:
    """Mixin: one job's whole life, watched from before its lease to the end of the stream."""

    watcher = None  # WsWatcher or SseWatcher

    def open(self, path, **kw):
        w = self.watcher(self.server, path, **kw)
        self.addCleanup(w.close)
        return w

    def check_ended(self, w):
        """The stream ends right after the terminal event, with nothing more."""
        self.assertEqual(w.rest(timeout=5.0), [], "nothing may follow the terminal event")
        self.assertIsNone(w.error, f"stream failed: {w.error!r}")

    def test_whole_life_live(self):
        job = self.api.submit(type="t", queue=self.queue, payload={"n": 1})
        w = self.open(f"/api/v1/jobs/{job['id']}/{self.suffix}")

        first = w.next()
        self.assertEqual(first["event"], "snapshot")
        self.assertEqual(first["job"]["id"], job["id"])
        self.assertEqual(first["job"]["status"], "queued")

        leased = self.api.lease_one("w1", queues=[self.queue])
        started = w.next()
        self.assertEqual(started["event"], "started", names(w.received))
        self.assertEqual(started["job"]["status"], "running")
        self.assertEqual(started["job"]["worker_id"], "w1")
        self.assertFalse(started["job"].get("lease_token"), "an event must not reveal the lease token")

        token = leased["lease_token"]
        self.api.progress(job["id"], token, progress=30, stage="download")
        p1 = w.next()
        self.assertEqual((p1["event"], p1["job"]["progress"], p1["job"]["stage"]), ("progress", 30, "download"))
        # The second comes within the coalescing interval: held, then sent when due (not lost).
        self.api.progress(job["id"], token, progress=60, stage="render")
        p2 = w.next()
        self.assertEqual((p2["event"], p2["job"]["progress"], p2["job"]["stage"]), ("progress", 60, "render"))

        self.api.complete(job["id"], token, result={"url": "/r/1"})
        done = w.next()
        self.assertEqual(done["event"], "completed", names(w.received))
        self.assertEqual(done["job"]["status"], "completed")
        self.assertEqual(done["job"]["result"], {"url": "/r/1"})
        self.check_ended(w)
        self.assertEqual(names(w.received), ["snapshot", "started", "progress", "progress", "completed"])
        for m in w.received:
            self.assertEqual(m["job"]["id"], job["id"])
        self.check_close(w, 1000)

    def test_failed_job_ends_the_stream(self):
        job = self.api.submit(type="t", queue=self.queue, max_attempts=1)
        w = self.open(f"/api/v1/jobs/{job['id']}/{self.suffix}")
        self.assertEqual(w.next()["event"], "snapshot")
        leased = self.api.lease_one("w1", queues=[self.queue])
        self.api.fail(job["id"], leased["lease_token"], error="boom", retryable=False)
        got = w.until(lambda m: m["event"] in TERMINAL)
        self.assertEqual(names(got), ["started", "failed"])
        self.assertEqual(got[-1]["job"]["status"], "failed")
        self.check_ended(w)
        self.check_close(w, 1000)

    def test_cancelled_job_ends_the_stream(self):
        job = self.api.submit(type="t", queue=self.queue)
        w = self.open(f"/api/v1/jobs/{job['id']}/{self.suffix}")
        self.assertEqual(w.next()["event"], "snapshot")
        self.api.cancel(job["id"])
        got = w.until(lambda m: m["event"] in TERMINAL)
        self.assertEqual(names(got), ["cancelled"])
        self.check_ended(w)
        self.check_close(w, 1000)

    def test_finished_job_gets_its_snapshot_and_the_stream_closes_at_once(self):
        job = self.api.submit(type="t", queue=self.queue)
        leased = self.api.lease_one("w1", queues=[self.queue])
        self.api.complete(job["id"], leased["lease_token"], result=7)
        t0 = time.monotonic()
        w = self.open(f"/api/v1/jobs/{job['id']}/{self.suffix}")
        first = w.next()
        self.assertEqual(first["event"], "snapshot")
        self.assertEqual(first["job"]["status"], "completed")
        self.assertEqual(first["job"]["result"], 7)
        self.assertEqual(w.rest(timeout=3.0), [])
        self.assertLess(w.end_time - t0, 3.0, "the stream of a finished job must end at once")
        self.check_close(w, 1000)

    def test_unknown_job_is_404(self):
        self.assertEqual(self.refusal(f"/api/v1/jobs/{unique('nope')}/{self.suffix}"), (404, "not_found"))

    def test_the_snapshot_is_not_followed_by_events_it_already_shows(self):
        """Opened while the server is still handing out a burst of events, a job's stream starts with
        the snapshot and then only changes after it: not the job's own earlier `submitted`."""
        busy = [WsWatcher(self.server, "/api/v1/events/ws") for _ in range(4)]  # keep the hub busy
        for b in busy:
            self.addCleanup(b.close)
        for attempt in range(6):
            jobs = self.api.submit_batch([{"type": "t", "queue": self.queue} for _ in range(1000)])
            job = jobs[-1]
            w = self.open(f"/api/v1/jobs/{job['id']}/{self.suffix}")
            first = w.next()
            self.assertEqual((first["event"], first["job"]["status"]), ("snapshot", "queued"))
            self.api.cancel(job["id"])
            after = names(w.rest(timeout=10.0))
            self.assertEqual(after, ["cancelled"], f"attempt {attempt}: after the snapshot came {after}")
            w.close()

    def test_progress_is_coalesced(self):
        """A worker's 50 progress reports as fast as it can send them reach a watcher as far fewer
        messages, the newest always among them, and the final state is right."""
        job = self.api.submit(type="t", queue=self.queue)
        w = self.open(f"/api/v1/jobs/{job['id']}/{self.suffix}")
        self.assertEqual(w.next()["event"], "snapshot")
        leased = self.api.lease_one("w1", queues=[self.queue])
        self.assertEqual(w.next()["event"], "started")
        token = leased["lease_token"]

        t0 = time.monotonic()
        for i in range(1, 51):
            self.api.progress(job["id"], token, progress=2 * i - 1, stage=f"s{i}")
        burst_s = time.monotonic() - t0
        # The newest report goes out within one interval of the last one, held if need be.
        got = w.until(lambda m: m["event"] == "progress" and m["job"]["progress"] == 99, timeout=5.0)
        elapsed = time.monotonic() - t0
        self.assertEqual(got[-1]["job"]["stage"], "s50")

        self.api.complete(job["id"], token)
        got += w.until(lambda m: m["event"] == "completed")
        self.check_ended(w)
        progress = [m["job"]["progress"] for m in got if m["event"] == "progress"]
        bound = 1 + math.ceil(elapsed / PROGRESS_INTERVAL_S) + 2
        self.assertLessEqual(len(progress), bound,
                             f"{len(progress)} progress messages in {elapsed:.2f} s (bound {bound}): {progress}")
        if burst_s < 2.0:
            self.assertLess(len(progress), 25, f"the burst took {burst_s:.2f} s: {progress}")
        self.assertEqual(progress, sorted(set(progress)), "progress messages must be the newest, in order")
        self.assertEqual(names(got)[-1], "completed")
        final = got[-1]["job"]
        # complete sets progress to 100 and keeps the last stage.
        self.assertEqual((final["status"], final["progress"], final["stage"]), ("completed", 100, "s50"))
        self.check_close(w, 1000)

    def test_nothing_follows_the_terminal_event_even_with_a_progress_pending(self):
        """A progress held back by the interval is dropped when a later event goes out: the
        completed message carries the newer state, and the stream ends after it."""
        job = self.api.submit(type="t", queue=self.queue)
        w = self.open(f"/api/v1/jobs/{job['id']}/{self.suffix}")
        self.assertEqual(w.next()["event"], "snapshot")
        leased = self.api.lease_one("w1", queues=[self.queue])
        token = leased["lease_token"]
        self.api.progress(job["id"], token, progress=10, stage="a")
        self.api.progress(job["id"], token, progress=20, stage="b")  # most likely held
        self.api.complete(job["id"], token)
        got = w.until(lambda m: m["event"] == "completed")
        self.check_ended(w)
        self.assertEqual(names(got)[:2], ["started", "progress"])
        self.assertIn(names(got), (["started", "progress", "completed"],
                                   ["started", "progress", "progress", "completed"]))
        final = got[-1]["job"]
        self.assertEqual((final["status"], final["stage"], final["progress"]), ("completed", "b", 100))


class WebSocketJobStream(JobLife, ServerTestCase):
    watcher = WsWatcher
    suffix = "ws"

    def check_close(self, w, code):
        self.assertEqual(w.close_code, code, f"close reason: {w.close_reason!r}")

    def refusal(self, path, params=None, api_key=None):
        return ws_connect_status(self.server, path, params, api_key), None

    def test_unknown_job_is_404(self):
        status, _ = self.refusal(f"/api/v1/jobs/{unique('nope')}/ws")
        self.assertEqual(status, 404)

    def test_without_upgrade_is_426_naming_upgrade(self):
        job = self.api.submit(type="t", queue=self.queue)
        status, body, headers = self.api.request("GET", f"/jobs/{job['id']}/ws")
        self.assertEqual(status, 426, body)
        self.assertEqual(body["error"]["code"], "upgrade_required")
        self.assertEqual(body["error"]["details"]["field"], "Upgrade")
        self.assertEqual(headers.get("Upgrade"), "websocket")


class SseJobStream(JobLife, ServerTestCase):
    watcher = SseWatcher
    suffix = "events"

    def check_close(self, w, code):
        self.assertEqual(w.status, 200)
        self.assertTrue(w.headers["Content-Type"].startswith("text/event-stream"), w.headers)
        for m in w.received:
            self.assertEqual(m["_sse_event"], m["event"], "the event: line names the data's event")

    def refusal(self, path, params=None, api_key=None):
        w = SseWatcher(self.server, path, params, api_key=api_key)
        self.addCleanup(w.close)
        w.ended.wait(10)
        return w.status, (w.error_body or {}).get("error", {}).get("code")


class AllEvents(ServerTestCase):
    """GET /events/ws and /events: every event from now on, filtered by queue, type and event."""

    def watch(self, transport, params):
        cls, path = (WsWatcher, "/api/v1/events/ws") if transport == "ws" else (SseWatcher, "/api/v1/events")
        w = cls(self.server, path, params)
        self.addCleanup(w.close)
        return w

    def until_job(self, w, job_id, event):
        return w.until(lambda m: m["job"]["id"] == job_id and m["event"] == event, timeout=10.0)

    def test_queue_filter(self):
        for transport in ("ws", "sse"):
            with self.subTest(transport=transport):
                q1, q2, q3 = unique("q"), unique("q"), unique("q")
                w = self.watch(transport, {"queue": f"{q1},{q3}"})
                a = self.api.submit(type="t", queue=q2)  # not watched
                b = self.api.submit(type="t", queue=q1)
                c = self.api.submit(type="t", queue=q3)
                self.api.submit(type="t", queue=q2)
                last = self.api.submit(type="t", queue=q1)
                # Events go out in order: once the last one is here, so is everything before it.
                got = self.until_job(w, last["id"], "submitted")
                self.assertEqual([(m["event"], m["job"]["id"]) for m in got],
                                 [("submitted", b["id"]), ("submitted", c["id"]), ("submitted", last["id"])])
                self.assertNotIn(a["id"], [m["job"]["id"] for m in got])

    def test_type_filter(self):
        for transport in ("ws", "sse"):
            with self.subTest(transport=transport):
                ta, tb, tc = unique("ta"), unique("tb"), unique("tc")
                w = self.watch(transport, {"type": f"{ta},{tb}"})
                a = self.api.submit(type=ta, queue=self.queue)
                self.api.submit(type=tc, queue=self.queue)
                b = self.api.submit(type=tb, queue=unique("q"))
                last = self.api.submit(type=ta, queue=self.queue)
                got = self.until_job(w, last["id"], "submitted")
                self.assertEqual([m["job"]["id"] for m in got], [a["id"], b["id"], last["id"]])
                self.assertTrue(all(m["job"]["type"] in (ta, tb) for m in got))

    def test_event_filter(self):
        for transport in ("ws", "sse"):
            with self.subTest(transport=transport):
                q = unique("q")
                w = self.watch(transport, {"event": "started,completed", "queue": q})
                j1 = self.api.submit(type="t", queue=q)  # submitted: filtered out
                l1 = self.api.lease_one("w1", queues=[q])
                self.api.progress(j1["id"], l1["lease_token"], progress=50)  # filtered out
                self.api.complete(j1["id"], l1["lease_token"])
                j2 = self.api.submit(type="t", queue=q)
                self.api.cancel(j2["id"])  # cancelled: filtered out
                j3 = self.api.submit(type="t", queue=q)
                self.api.lease_one("w1", queues=[q])
                got = self.until_job(w, j3["id"], "started")
                self.assertEqual([(m["event"], m["job"]["id"]) for m in got],
                                 [("started", j1["id"]), ("completed", j1["id"]), ("started", j3["id"])])

    def test_event_filter_alone(self):
        """Only the named events arrive, from any queue (others' events included)."""
        for transport in ("ws", "sse"):
            with self.subTest(transport=transport):
                q = unique("q")
                w = self.watch(transport, {"event": "cancelled"})
                a = self.api.submit(type="t", queue=q)
                b = self.api.submit(type="t", queue=q)
                self.api.cancel(a["id"])
                lb = self.api.lease_one("w1", queues=[q])
                self.api.complete(b["id"], lb["lease_token"])
                c = self.api.submit(type="t", queue=unique("q"))
                self.api.cancel(c["id"])
                got = self.until_job(w, c["id"], "cancelled")
                self.assertEqual(set(names(got)), {"cancelled"})
                ids = [m["job"]["id"] for m in got]
                self.assertIn(a["id"], ids)
                self.assertNotIn(b["id"], ids)

    def test_filters_combine_and_an_empty_list_is_any(self):
        q, t = unique("q"), unique("t")
        w = self.watch("ws", {"queue": q, "type": t, "event": ""})
        self.api.submit(type="other", queue=q)  # wrong type
        self.api.submit(type=t, queue=unique("q"))  # wrong queue
        j = self.api.submit(type=t, queue=q)
        self.api.cancel(j["id"])
        got = self.until_job(w, j["id"], "cancelled")
        self.assertEqual([(m["event"], m["job"]["id"]) for m in got],
                         [("submitted", j["id"]), ("cancelled", j["id"])])

    def test_a_whole_life_on_the_all_events_stream(self):
        w = self.watch("sse", {"queue": self.queue})
        job = self.api.submit(type="t", queue=self.queue)
        leased = self.api.lease_one("w1", queues=[self.queue])
        self.api.progress(job["id"], leased["lease_token"], progress=40)
        self.api.complete(job["id"], leased["lease_token"])
        got = self.until_job(w, job["id"], "completed")
        self.assertEqual(names(got), ["submitted", "started", "progress", "completed"])
        self.assertFalse(w.ended.is_set(), "the all-events stream goes on after a job ends")

    def test_progress_is_coalesced_per_job_on_the_all_events_stream(self):
        ws = self.watch("ws", {"queue": self.queue})
        sse = self.watch("sse", {"queue": self.queue})
        jobs = [self.api.submit(type="t", queue=self.queue) for _ in range(2)]
        leased = self.api.lease("w1", queues=[self.queue], max_jobs=2)
        self.assertEqual(len(leased), 2)
        t0 = time.monotonic()
        for i in range(1, 26):
            for job in leased:
                self.api.progress(job["id"], job["lease_token"], progress=4 * i)
        for w in (ws, sse):
            # Each job's held message goes out when its own interval ends, so the two jobs' last
            # messages may come in either order.
            finished = set()

            def both_at_100(m, finished=finished):
                if m["event"] == "progress" and m["job"]["progress"] == 100:
                    finished.add(m["job"]["id"])
                return finished == {job["id"] for job in leased}

            w.until(both_at_100, timeout=5.0)
        elapsed = time.monotonic() - t0
        bound = 1 + math.ceil(elapsed / PROGRESS_INTERVAL_S) + 2
        for w in (ws, sse):
            for job in jobs:
                progress = [m["job"]["progress"] for m in w.received
                            if m["event"] == "progress" and m["job"]["id"] == job["id"]]
                self.assertLessEqual(len(progress), bound, f"{elapsed:.2f} s: {progress}")
                self.assertEqual(progress, sorted(set(progress)))
                self.assertEqual(progress[-1], 100)

    def test_a_burst_of_events_arrives_promptly(self):
        """Events that come while the server is still writing earlier ones must not wait for the
        next keep-alive (15 s): the last event of a burst arrives at once."""
        for transport in ("ws", "sse"):
            with self.subTest(transport=transport):
                q = unique("q")
                w = self.watch(transport, {"queue": q})
                for burst in range(4):
                    jobs = self.api.submit_batch([{"type": "t", "queue": q} for _ in range(100)])
                    t0 = time.monotonic()
                    got = w.until(lambda m, last=jobs[-1]["id"]: m["job"]["id"] == last, timeout=14.0)
                    late = time.monotonic() - t0
                    self.assertLess(late, 3.0, f"burst {burst}: the last event came {late:.1f} s after the submit")
                    self.assertEqual([m["job"]["id"] for m in got][-100:], [j["id"] for j in jobs])

    def test_unknown_event_name_is_400(self):
        self.assertEqual(ws_connect_status(self.server, "/api/v1/events/ws", {"event": "started,nope"}), 400)
        w = SseWatcher(self.server, "/api/v1/events", {"event": "nope"})
        self.addCleanup(w.close)
        self.assertTrue(w.ended.wait(10))
        self.assertEqual(w.status, 400)
        self.assertEqual(w.error_body["error"]["code"], "invalid_argument")
        self.assertEqual(w.error_body["error"]["details"].get("field"), "event")

    def test_unknown_query_parameter_is_400(self):
        self.assertEqual(ws_connect_status(self.server, "/api/v1/events/ws", {"queues": "x"}), 400)
        status, body, _ = self.api.request("GET", "/events", params={"status": "queued"})
        self.assertEqual(status, 400, body)
        self.assertEqual(body["error"]["details"].get("field"), "status")


class StreamsOnShutdown(unittest.TestCase):
    """SIGTERM with watchers open: WebSockets get close code 1001, SSE bodies end, the server exits 0
    promptly with a clean log. A few rounds, since what goes wrong here depends on timing."""

    ROUNDS = 5

    def start_server(self):
        server = Server(store="sqlite")
        self.addCleanup(server.close)
        api = server.api()
        self.addCleanup(api.close)
        return server, api

    def open_watchers(self, server, job_id):
        watchers = [WsWatcher(server, f"/api/v1/jobs/{job_id}/ws"),
                    SseWatcher(server, f"/api/v1/jobs/{job_id}/events")]
        for _ in range(3):
            watchers += [WsWatcher(server, "/api/v1/events/ws"), SseWatcher(server, "/api/v1/events")]
        for w in watchers:
            self.addCleanup(w.close)
        return watchers

    def check_shutdown(self, server, watchers, sent):
        for w in watchers:
            w.ended.wait(max(0.1, sent + 5.0 - time.monotonic()))
        open_after = [w.path for w in watchers if not w.ended.is_set()]
        code = server.wait_exit(timeout=20)
        took = time.monotonic() - sent
        self.assertEqual(open_after, [], f"streams still open 5 s after SIGTERM (the server exited "
                                         f"{code} after {took:.1f} s)\n{log_excerpt(server)}")
        for w in watchers:
            if isinstance(w, WsWatcher):
                self.assertEqual(w.close_code, 1001, f"{w.path}: {w.close_reason!r}\n{log_excerpt(server)}")
            self.assertLess(w.end_time - sent, 5.0, w.path)
        if sanitizer_report(server):
            self.fail(f"sanitizer report in the server log after SIGTERM (exit code {code})\n{log_excerpt(server)}")
        self.assertEqual(code, 0, f"exit code after SIGTERM\n{log_excerpt(server)}")

    def server_with_watchers(self):
        """A fresh server, one job, and its watchers; the job streams have read their snapshots."""
        server, api = self.start_server()
        job = api.submit(type="t", queue=unique("q"))
        watchers = self.open_watchers(server, job["id"])
        for w in watchers[:2]:
            self.assertEqual(w.next()["event"], "snapshot")
        return server, api, watchers

    def test_sigterm_with_quiet_watchers(self):
        for round_ in range(self.ROUNDS):
            with self.subTest(round=round_):
                server, api, watchers = self.server_with_watchers()
                # Every watcher is subscribed: each sees this event before the signal.
                other = api.submit(type="t", queue=unique("q"))
                for w in watchers[2:]:
                    w.until(lambda m: m["job"]["id"] == other["id"])
                api.close()
                sent = time.monotonic()
                server.signal(signal.SIGTERM)
                self.check_shutdown(server, watchers, sent)

    def test_sigterm_while_events_flow(self):
        for round_ in range(self.ROUNDS):
            with self.subTest(round=round_):
                server, api, watchers = self.server_with_watchers()
                api.submit_batch([{"type": "t", "queue": unique("q")} for _ in range(50)])
                api.close()
                sent = time.monotonic()
                server.signal(signal.SIGTERM)
                self.check_shutdown(server, watchers, sent)


class StreamsWithKeys(ServerTestCase):
    store = "memory"
    server_args = ("--api-keys", "adm:admin,view:viewer")
    server_key = "adm"

    def test_a_viewer_key_opens_streams(self):
        job = self.api.submit(type="t", queue=unique("q"))
        ws = WsWatcher(self.server, f"/api/v1/jobs/{job['id']}/ws", api_key="view")
        self.addCleanup(ws.close)
        self.assertEqual(ws.next()["event"], "snapshot")
        sse = SseWatcher(self.server, f"/api/v1/jobs/{job['id']}/events", api_key="view")
        self.addCleanup(sse.close)
        self.assertEqual(sse.status, 200)
        self.assertEqual(sse.next()["event"], "snapshot")
        all_ws = WsWatcher(self.server, "/api/v1/events/ws", api_key="view")
        self.addCleanup(all_ws.close)
        self.api.cancel(job["id"])
        for w in (ws, sse):
            self.assertEqual(names(w.rest(timeout=5.0)), ["cancelled"])
        all_ws.until(lambda m: m["job"]["id"] == job["id"] and m["event"] == "cancelled")

    def test_no_key_or_an_unknown_key_is_401(self):
        job = self.api.submit(type="t", queue=unique("q"))
        for key in (None, "nope"):
            with self.subTest(key=key):
                self.assertEqual(ws_connect_status(self.server, f"/api/v1/jobs/{job['id']}/ws", api_key=key), 401)
                self.assertEqual(ws_connect_status(self.server, "/api/v1/events/ws", api_key=key), 401)
                for path in (f"/api/v1/jobs/{job['id']}/events", "/api/v1/events"):
                    sse = SseWatcher(self.server, path, api_key=key)
                    self.addCleanup(sse.close)
                    self.assertTrue(sse.ended.wait(10))
                    self.assertEqual(sse.status, 401, path)
                    self.assertEqual(sse.error_body["error"]["code"], "unauthorized")


if __name__ == "__main__":
    unittest.main()
