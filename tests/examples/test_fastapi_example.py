"""examples/fastapi end to end: the real jobqd, the app under uvicorn and the example's worker
(``python3 -m jobq worker tasks:app``), each a process of its own. A report ordered over HTTP is
made by the worker, and its progress and result come out through the app; event streams held open
wait on the app's event loop, not on threads."""

import asyncio
import http.client
import json
import sys
import unittest

from example_processes import DEADLINE_S, REPO, ExampleTestCase, wait_until

from browser import Browser, drive

sys.path.insert(0, str(REPO / "clients" / "python"))
import jobq  # noqa: E402

# More than the threads (anyio's default, 40) on which FastAPI runs def endpoints and sync iterators:
# had the app held a thread per open stream, nothing would be left for the next request.
OPEN_STREAMS = 48
PROMPT_S = 5.0  # what "answers at once" allows, on a shared machine


class FastApiExample(ExampleTestCase):
    EXAMPLE = REPO / "examples" / "fastapi"

    def setUp(self):
        super().setUp()
        self.app = self.start_app("app", "uvicorn", "app:app", REPORT_PAGE_SECONDS="0.2")
        self.worker = self.spawn_worker("tasks:app")

    def events(self, path):
        """The app's Server-Sent Events for one report, read to the end: [(event, data)]."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=DEADLINE_S)
        try:
            conn.request("GET", path, headers={"Accept": "text/event-stream"})
            resp = conn.getresponse()
            self.assertEqual(resp.status, 200)
            self.assertTrue(resp.headers["Content-Type"].startswith("text/event-stream"))
            out, event = [], None
            for raw in resp:
                line = raw.decode().rstrip("\r\n")
                if line.startswith("event: "):
                    event = line[len("event: "):]
                elif line.startswith("data: "):
                    out.append((event, json.loads(line[len("data: "):])))
            return out
        finally:
            conn.close()

    def test_a_report_ordered_through_the_app_is_made_by_the_worker(self):
        status, page = self.request("GET", "/")
        self.assertEqual(status, 200)
        self.assertIn("new EventSource(report.events)", page)

        status, ordered = self.request("POST", "/reports", {"user_id": 7, "pages": 4})
        self.assertEqual(status, 202, ordered)
        self.assertIn(ordered["status"], ("queued", "running"))
        self.assertEqual(ordered["events"], f"/reports/{ordered['id']}/events")

        events = self.events(ordered["events"])
        names = [e for e, _ in events]
        self.assertEqual(names[0], "snapshot")
        self.assertEqual(names[-1], "completed", self.log_of(self.worker))
        progress = [d["progress"] for e, d in events if e == "progress"]
        self.assertTrue(progress, f"no progress came through the app: {names}")
        self.assertEqual(progress, sorted(progress))
        self.assertTrue(all(0 <= p <= 100 for p in progress))
        final = events[-1][1]
        self.assertEqual((final["status"], final["progress"], final["stage"]), ("completed", 100, "rendering"))
        self.assertEqual(final["result"]["title"], "Report for user 7")
        self.assertEqual(len(final["result"]["lines"]), 4)
        self.assertNotIn("lease_token", json.dumps(events))

        status, report = self.request("GET", f"/reports/{ordered['id']}")
        self.assertEqual(status, 200)
        self.assertEqual(report, final)

        with jobq.Client(self.env["JOBQ_URL"]) as jobs:  # as jobqd has it: the task's payload
            job = jobs.get(ordered["id"])
        self.assertEqual((job.type, job.payload, job.user_id, job.max_attempts),
                         ("generate_report", {"args": [7, 4], "kwargs": {}}, "7", 3))

        self.assertEqual(self.stop(self.worker), 0, self.log_of(self.worker))
        self.assertEqual(self.stop(self.app), 0, self.log_of(self.app))

    def open_stream(self, path):
        """An open event stream of the app, its snapshot read; the connection stays open."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=DEADLINE_S)
        self.addCleanup(conn.close)
        conn.request("GET", path, headers={"Accept": "text/event-stream"})
        resp = conn.getresponse()
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.readline().decode(), "event: snapshot\n")
        return conn

    def test_event_streams_held_open_leave_the_app_answering_at_once(self):
        with jobq.Client(self.env["JOBQ_URL"]) as direct:  # a job no worker takes: its stream stays open
            idle = direct.submit("nobody_runs_this", queue="elsewhere")
        streams = [self.open_stream(f"/reports/{idle.id}/events") for _ in range(OPEN_STREAMS)]

        prompt = http.client.HTTPConnection("127.0.0.1", self.port, timeout=PROMPT_S)
        self.addCleanup(prompt.close)
        prompt.request("GET", f"/reports/{idle.id}")
        answer = prompt.getresponse()
        self.assertEqual((answer.status, json.loads(answer.read())["status"]), (200, "queued"))
        prompt.request("POST", "/reports", body=json.dumps({"user_id": 3, "pages": 1}),
                       headers={"Content-Type": "application/json"})
        answer = prompt.getresponse()
        ordered = json.loads(answer.read())
        self.assertEqual(answer.status, 202, ordered)

        with jobq.Client(self.env["JOBQ_URL"]) as direct:  # the report is made while the streams stay open
            wait_until(lambda: direct.get(ordered["id"]).status == "completed", DEADLINE_S,
                       message=f"the report made\n{self.log_of(self.worker)}")
        for conn in streams:
            conn.close()
        self.assertEqual(self.stop(self.app), 0, self.log_of(self.app))

    def test_the_page_shows_the_progress_live_in_a_browser(self):
        browser = Browser()
        self.addCleanup(browser.close)
        page_state = """({status: document.getElementById("status").textContent,
                          bar: document.getElementById("bar").value,
                          result: document.getElementById("result").hidden ? null
                                  : JSON.parse(document.getElementById("result").textContent)})"""

        async def order_and_watch(tab):
            await tab.call("Page.navigate", url=f"http://127.0.0.1:{self.port}/")
            for _ in range(int(DEADLINE_S / 0.05)):
                if await tab.evaluate("document.readyState === 'complete' && !!document.getElementById('order')"):
                    break
                await asyncio.sleep(0.05)
            await tab.evaluate("""document.querySelector("input[name=pages]").value = "8";
                                  document.querySelector("#order button").click(); true""")
            shown = []
            for _ in range(int(DEADLINE_S / 0.05)):
                state = await tab.evaluate(page_state)
                if not shown or shown[-1] != state:
                    shown.append(state)
                if state["status"].startswith(("completed", "failed", "refused")):
                    break
                await asyncio.sleep(0.05)
            return shown

        shown = drive(browser, order_and_watch)
        final = shown[-1]
        self.assertEqual(final["status"], "completed 100% - rendering: page 8 of 8", shown)
        self.assertEqual(final["bar"], 100)
        self.assertEqual(final["result"]["title"], "Report for user 42")
        during = [s for s in shown if s["status"].startswith("running")]
        self.assertTrue(during, f"the page never showed the running job: {shown}")
        self.assertTrue(any(0 < s["bar"] < 100 for s in during), f"no progress between 0 and 100 shown: {shown}")

    def test_the_app_refuses_bad_orders_and_unknown_reports(self):
        status, answer = self.request("POST", "/reports", {"user_id": 0})
        self.assertEqual(status, 422, answer)
        self.assertEqual(answer["detail"][0]["loc"], ["body", "user_id"])
        for path in ("/reports/0190b6f2-0000-7000-8000-000000000000",
                     "/reports/0190b6f2-0000-7000-8000-000000000000/events"):
            status, answer = self.request("GET", path)
            self.assertEqual((status, answer), (404, {"detail": "no such report"}))


if __name__ == "__main__":
    unittest.main()
