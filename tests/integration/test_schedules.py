"""Cron schedules through a real jobqd: create, read, change, pause, resume, trigger, delete, the
refusals, and a schedule that fires every second submitting its template's job."""

import unittest

from jobqd import Server, ServerTestCase, assert_error, assert_refuses_to_start, config_file, unique, wait_until


def runs(api, name):
    return api.call("GET", "/jobs", params={"tag": f"schedule:{name}", "limit": 100})["jobs"]


class Schedules(ServerTestCase):
    def create(self, **fields):
        fields.setdefault("name", unique("s"))
        fields.setdefault("cron", "0 3 * * *")
        fields.setdefault("job", {"type": "report", "queue": self.queue})
        status, body, _ = self.api.request("POST", "/schedules", fields)
        self.assertEqual(status, 201, body)
        self.addCleanup(self.api.request, "DELETE", f"/schedules/{body['name']}")
        return body

    def test_create_answers_the_schedule_with_its_next_due_time(self):
        s = self.create(cron="30 2 * * *", timezone="America/New_York",
                        job={"type": "report", "queue": self.queue, "payload": {"kind": "daily"},
                             "priority": "high"},
                        overlap="skip", misfire="run_all", misfire_limit=5)
        self.assertEqual((s["cron"], s["timezone"], s["overlap"], s["misfire"], s["misfire_limit"]),
                         ("30 2 * * *", "America/New_York", "skip", "run_all", 5))
        self.assertEqual(s["job"]["payload"], {"kind": "daily"})
        self.assertEqual(s["job"]["priority"], 80)
        self.assertFalse(s["paused"])
        self.assertIsNone(s["last_run_at"])
        # 02:30 in New York is 06:30 or 07:30 UTC, by daylight saving.
        self.assertRegex(s["next_run_at"], r"T0[67]:30:00\.000Z$")
        self.assertEqual(self.api.call("GET", f"/schedules/{s['name']}"), s)
        names = [x["name"] for x in self.api.call("GET", "/schedules")["schedules"]]
        self.assertIn(s["name"], names)
        self.assertEqual(names, sorted(names))

    def test_a_schedule_fires_every_due_time_with_its_template(self):
        s = self.create(cron="* * * * * *", job={"type": "tick", "queue": self.queue, "payload": [1]})
        wait_until(lambda: len(runs(self.api, s["name"])) >= 2, message="two runs, a second apart")
        self.api.call("POST", f"/schedules/{s['name']}/pause")
        seen = runs(self.api, s["name"])
        for job in seen:
            self.assertEqual((job["type"], job["queue"], job["payload"]), ("tick", self.queue, [1]))
            self.assertEqual(job["tags"], [f"schedule:{s['name']}"])
            self.assertTrue(job["idempotency_key"].startswith(f"schedule:{s['name']}:"))
        self.assertEqual(len({j["idempotency_key"] for j in seen}), len(seen), "each due time once")
        after = self.api.call("GET", f"/schedules/{s['name']}")
        self.assertIn(after["last_job_id"], [j["id"] for j in seen])
        self.assertIsNotNone(after["last_run_at"])

    def test_pause_resume_and_patch(self):
        s = self.create()
        paused = self.api.call("POST", f"/schedules/{s['name']}/pause")
        self.assertTrue(paused["paused"])
        resumed = self.api.call("POST", f"/schedules/{s['name']}/resume")
        self.assertFalse(resumed["paused"])
        changed = self.api.call("PATCH", f"/schedules/{s['name']}", {"cron": "@hourly", "overlap": "cancel_previous"})
        self.assertEqual((changed["cron"], changed["overlap"]), ("@hourly", "cancel_previous"))
        self.assertRegex(changed["next_run_at"], r":00:00\.000Z$")

    def test_trigger_submits_now_and_keeps_the_timetable(self):
        s = self.create()
        status, job, _ = self.api.request("POST", f"/schedules/{s['name']}/trigger")
        self.assertEqual(status, 201, job)
        self.assertEqual((job["type"], job["status"], job["tags"]), ("report", "queued", [f"schedule:{s['name']}"]))
        self.assertEqual(self.api.call("GET", f"/schedules/{s['name']}")["next_run_at"], s["next_run_at"])

    def test_delete_removes_it_and_keeps_its_jobs(self):
        s = self.create()
        job = self.api.call("POST", f"/schedules/{s['name']}/trigger", expect=(201,))
        gone = self.api.call("DELETE", f"/schedules/{s['name']}")
        self.assertEqual(gone["name"], s["name"])
        assert_error(self, self.api.request("GET", f"/schedules/{s['name']}"), 404, "not_found")
        assert_error(self, self.api.request("DELETE", f"/schedules/{s['name']}"), 404, "not_found")
        self.assertEqual(self.api.get(job["id"])["status"], "queued")

    def test_bad_schedules_are_refused_naming_the_field(self):
        job = {"type": "report"}
        cases = [
            ({"cron": "0 3 * * *", "job": job}, "name"),
            ({"name": "a b", "cron": "0 3 * * *", "job": job}, "name"),
            ({"name": unique("s"), "job": job}, "cron"),
            ({"name": unique("s"), "cron": "61 * * * *", "job": job}, "cron"),
            ({"name": unique("s"), "cron": "0 3 * *", "job": job}, "cron"),
            ({"name": unique("s"), "cron": "0 0 30 2 *", "job": job}, "cron"),
            ({"name": unique("s"), "cron": "0 3 * * *", "timezone": "Mars/Olympus", "job": job}, "timezone"),
            ({"name": unique("s"), "cron": "0 3 * * *"}, "job"),
            ({"name": unique("s"), "cron": "0 3 * * *", "job": {"queue": "q"}}, "job.type"),
            ({"name": unique("s"), "cron": "0 3 * * *", "job": {"type": "t", "delay_ms": 5}}, "job.delay_ms"),
            ({"name": unique("s"), "cron": "0 3 * * *", "job": {"type": "t", "depends_on": ["0190f5d2-7c1e-7a2b-8c3d-4e5f60718200"]}}, "job.depends_on"),
            ({"name": unique("s"), "cron": "0 3 * * *", "job": {"type": "t", "bogus": 1}}, "job.bogus"),
            ({"name": unique("s"), "cron": "0 3 * * *", "job": job, "overlap": "never"}, "overlap"),
            ({"name": unique("s"), "cron": "0 3 * * *", "job": job, "misfire": "later"}, "misfire"),
            ({"name": unique("s"), "cron": "0 3 * * *", "job": job, "misfire_limit": 0}, "misfire_limit"),
            ({"name": unique("s"), "cron": "0 3 * * *", "job": job, "colour": "red"}, "colour"),
        ]
        for body, field in cases:
            with self.subTest(field=field, body=body):
                assert_error(self, self.api.request("POST", "/schedules", body), 400, "invalid_argument", field)
        s = self.create()
        assert_error(self, self.api.request("POST", "/schedules", {"name": s["name"], "cron": "@daily", "job": job}),
                     409, "conflict")
        assert_error(self, self.api.request("PATCH", f"/schedules/{s['name']}", {"name": "other"}),
                     400, "invalid_argument", "name")
        assert_error(self, self.api.request("PATCH", f"/schedules/{s['name']}", {"cron": "nope"}),
                     400, "invalid_argument", "cron")
        self.assertEqual(self.api.call("GET", f"/schedules/{s['name']}")["cron"], s["cron"])
        assert_error(self, self.api.request("POST", f"/schedules/{unique('none')}/trigger"), 404, "not_found")


class DeclaredInTheConfigFile(unittest.TestCase):
    """[schedules.NAME] tables are applied at every start: created, then updated when they differ;
    the same file again changes nothing, and a pause made through the API stays."""

    def test_created_kept_across_restarts_and_updated_when_the_file_changes(self):
        path = config_file(self, '[schedules.nightly]\ncron = "0 3 * * *"\ntimezone = "Europe/Berlin"\n'
                           'job = { type = "report", queue = "reports", payload = { kind = "daily" } }\n')
        with Server(args=["--config", path]) as server:
            api = server.api()
            s = api.call("GET", "/schedules/nightly")
            self.assertEqual((s["cron"], s["timezone"], s["job"]["queue"], s["job"]["payload"]),
                             ("0 3 * * *", "Europe/Berlin", "reports", {"kind": "daily"}))
            paused = api.call("POST", "/schedules/nightly/pause")
            server.restart()
            again = server.api().call("GET", "/schedules/nightly")
            self.assertTrue(again["paused"], "a pause made through the API stays")
            self.assertEqual((again["created_at"], again["updated_at"]), (s["created_at"], paused["updated_at"]),
                             "the unchanged file changed nothing at the restart")
            with open(path, "w") as f:
                f.write('[schedules.nightly]\ncron = "@hourly"\npaused = false\n'
                        'job = { type = "report", queue = "reports" }\n')
            server.restart()
            changed = server.api().call("GET", "/schedules/nightly")
            self.assertEqual((changed["cron"], changed["paused"], changed["job"]["payload"]),
                             ("@hourly", False, None))
            self.assertEqual(changed["created_at"], s["created_at"])
            server.restart()
            self.assertEqual(server.api().call("GET", "/schedules/nightly")["updated_at"], changed["updated_at"],
                             "the same file again changes nothing")

    def test_a_bad_schedule_in_the_file_stops_jobqd_naming_it(self):
        cases = (
            ('[schedules.x]\ncron = "0 3 * *"\njob = { type = "t" }\n', "schedules.x.cron"),
            ('[schedules.x]\ncron = "0 3 * * *"\njob = { queue = "q" }\n', "schedules.x.job.type"),
            ('[schedules.x]\ncron = "0 3 * * *"\njob = { type = "t" }\ncolour = "red"\n', "schedules.x.colour"),
            ('[schedules]\nx = 5\n', "schedules.x"),
        )
        for text, field in cases:
            with self.subTest(field=field):
                assert_refuses_to_start(self, ["--config", config_file(self, text)], field)


if __name__ == "__main__":
    unittest.main()
