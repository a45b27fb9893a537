"""examples/flask end to end: the real jobqd, the app under Flask's own server and the worker started
as its README says (``python3 -m jobq worker tasks:app``), each a process of its own. Exports ordered
through the app are made by the worker; their progress and CSV come back through the app."""

import datetime
import sys
import unittest
import urllib.parse

from example_processes import DEADLINE_S, REPO, ExampleTestCase, wait_until

sys.path.insert(0, str(REPO / "clients" / "python"))
import jobq  # noqa: E402

UNKNOWN_ID = "0190b6f2-0000-7000-8000-000000000000"


class FlaskExample(ExampleTestCase):
    EXAMPLE = REPO / "examples" / "flask"

    def setUp(self):
        super().setUp()
        self.app = self.start_app("flask", "flask", "--app", "app", "run", EXPORT_ROW_SECONDS="0.15")
        self.jobs = jobq.Client(self.env["JOBQ_URL"])
        self.addCleanup(self.jobs.close)

    def test_an_export_ordered_as_json_finishes_although_its_worker_got_sigterm_while_it_ran(self):
        worker = self.spawn_worker("tasks:app")
        status, headers, ordered = self.fetch("POST", "/exports",
                                              {"customer_id": 7, "since": "2026-03-01", "rows": 8})
        self.assertEqual(status, 202, ordered)
        self.assertIn(ordered["status"], ("queued", "running"))
        self.assertEqual(urllib.parse.urlsplit(headers["Location"]).path, f"/api/exports/{ordered['id']}")

        seen = []

        def running_with_progress():
            status, state = self.request("GET", f"/api/exports/{ordered['id']}")
            self.assertEqual(status, 200, state)
            seen.append(state)
            return state["status"] == "running" and 0 < state["progress"] < 100

        wait_until(running_with_progress, DEADLINE_S, message=f"the export running\n{self.log_of(worker)}")
        self.assertEqual(self.stop(worker), 0, self.log_of(worker))  # the grace period lets the export finish
        self.assertIn("stopped", self.log_of(worker))

        status, final = self.request("GET", f"/api/exports/{ordered['id']}")
        self.assertEqual(status, 200)
        self.assertEqual((final["status"], final["progress"], final["stage"], final["message"]),
                         ("completed", 100, "exporting", "row 8 of 8"), self.log_of(worker))
        progress = [s["progress"] for s in seen] + [final["progress"]]
        self.assertEqual(progress, sorted(progress))
        result = final["result"]
        self.assertEqual((result["customer_id"], result["since"], result["rows"]), (7, "2026-03-01", 8))
        self.assertEqual(result["csv"].splitlines()[0], "order,date,amount")
        self.assertEqual(result["csv"].splitlines()[-1], "7-8,2026-03-08,80.00")
        self.assertIsNotNone(datetime.datetime.fromisoformat(result["made_at"]).tzinfo)
        self.assertNotIn("lease_token", str(final))

        # As jobqd has it: the task's payload (rows, a positional parameter, is bound by position), one attempt.
        job = self.jobs.get(ordered["id"])
        self.assertEqual((job.type, job.queue, job.user_id, job.attempt),
                         ("export_orders", "exports", "7", 1))
        self.assertEqual(job.payload, {"args": [7, "2026-03-01", 8], "kwargs": {}})

    def test_the_form_leads_to_a_page_that_reloads_itself_until_the_export_is_done(self):
        worker = self.spawn_worker("tasks:app")
        status, headers, _ = self.fetch("POST", "/exports",
                                        form={"customer_id": "42", "since": "2026-01-01", "rows": "3"})
        self.assertEqual(status, 303)
        page_path = urllib.parse.urlsplit(headers["Location"]).path
        self.assertRegex(page_path, r"^/exports/[0-9a-f-]{36}$")

        pages = []

        def finished_page():
            status, page = self.request("GET", page_path)
            self.assertEqual(status, 200, page)
            finished = any(f'id="status">{s} ' in page for s in ("completed", "failed", "cancelled"))
            self.assertEqual('http-equiv="refresh"' in page, not finished, page)
            pages.append(page)
            return finished and page

        page = wait_until(finished_page, DEADLINE_S, interval=0.1, message="the page of a finished export")
        self.assertIn('id="status">completed 100% - row 3 of 3</p>', page, self.log_of(worker))
        self.assertIn('<progress id="bar" max="100" value="100">', page)
        self.assertIn("42-3,2026-01-03,30.00\n", page)
        self.assertEqual(self.stop(worker), 0, self.log_of(worker))

    def test_a_failed_export_shows_its_error_as_text_and_json(self):
        # Submitted as another program could, with a payload the task cannot take: the worker fails it for good.
        job = self.jobs.submit("export_orders", {"args": [], "kwargs": {}}, queue="exports", max_attempts=1)
        worker = self.spawn_worker("tasks:app")
        state = wait_until(lambda: (s := self.request("GET", f"/api/exports/{job.id}")[1])["finished"] and s,
                           DEADLINE_S, message=f"the export failed\n{self.log_of(worker)}")
        self.assertEqual(state["status"], "failed")
        self.assertIsInstance(state["error"], str)
        self.assertIn("missing a required argument: 'customer_id'", state["error"])
        status, page = self.request("GET", f"/exports/{job.id}")
        self.assertEqual(status, 200)
        self.assertIn('id="status">failed ', page)
        self.assertIn("missing a required argument: &#39;customer_id&#39;</p>", page)
        self.assertNotIn('http-equiv="refresh"', page)
        self.assertEqual(self.stop(worker), 0, self.log_of(worker))

    def test_the_app_refuses_bad_orders_and_unknown_exports(self):
        status, answer = self.request("POST", "/exports", {"rows": 3})
        self.assertEqual((status, answer), (400, {"error": "customer_id: a whole number is needed"}))
        status, answer = self.request("POST", "/exports", {"customer_id": 1, "since": "March"})
        self.assertEqual((status, answer), (400, {"error": "since: a date (YYYY-MM-DD) is needed"}))
        status, page = self.request("POST", "/exports", form={"customer_id": "abc"})
        self.assertEqual(status, 400)
        self.assertIn('<p id="error">customer_id: a whole number is needed</p>', page)
        for export_id in (UNKNOWN_ID, "not-a-job-id"):
            status, answer = self.request("GET", f"/api/exports/{export_id}")
            self.assertEqual((status, answer), (404, {"error": "no such export"}))
            status, _ = self.request("GET", f"/exports/{export_id}")
            self.assertEqual(status, 404)
        self.assertEqual(self.jobs.stats()["by_status"].get("queued", 0), 0)  # nothing was submitted


if __name__ == "__main__":
    unittest.main()
