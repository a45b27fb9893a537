"""`jobq webhooks hooks|ls|show|retry|rm` against a real jobqd: their output, --json, and the exit
codes of what the server or the flags refuse. No receiver is needed: the sender refuses 127.0.0.2
(loopback not allow-listed), so its delivery is dead after one attempt, and nobody listens on the
allow-listed 127.0.0.1:9, so with an hour's backoff its delivery stays pending."""

import json
import unittest

from jobq_cli import AUTH, CONFLICT, NOT_FOUND, USAGE, CliTestCase, wait_until
from jobqd import UNKNOWN_ID, config_file

REFUSED = "http://127.0.0.2:9/refused"
SILENT = "http://127.0.0.1:9/silent"
HOOK = "http://127.0.0.1:9/failures"
SETTINGS = ('webhook_secret = "cli-secret"\nwebhook_allow = "127.0.0.1/32"\nwebhook_max_attempts = 5\n'
            "webhook_backoff_initial_ms = 3600000\nwebhook_backoff_max_ms = 3600000\n"
            "webhook_retain_dead_ms = 86400000\n")


class WebhooksTestCase(CliTestCase):
    config = SETTINGS

    @classmethod
    def setUpClass(cls):
        cls.server_args = ("--config", config_file(cls, cls.config), *cls.server_args)
        super().setUpClass()

    def cancelled_job(self, callback_url):
        """A job submitted with --callback-url and cancelled at once: -> its id."""
        job_id = self.ok("submit", "t", "-q", self.queue, "--callback-url", callback_url).strip()
        self.ok("cancel", job_id)
        return job_id

    def delivery_of(self, job_id, done):
        """The job's one delivery (ls --json) once done(delivery) holds."""
        def found():
            listed = json.loads(self.ok("webhooks", "ls", "--job", job_id, "--json"))["deliveries"]
            return listed[0] if len(listed) == 1 and done(listed[0]) else None
        return wait_until(found, timeout=15, message=f"the delivery of {job_id}")

    def dead_delivery_of(self, job_id):
        return self.delivery_of(job_id, lambda d: d["status"] == "dead")


class Webhooks(WebhooksTestCase):
    config = SETTINGS + f'[[webhooks]]\nurl = "{HOOK}"\nqueue = "mail"\nevents = ["job.failed"]\n'

    def test_hooks_shows_the_settings(self):
        lines = self.ok("webhooks", "hooks").splitlines()
        self.assertEqual(lines[0], "webhooks: on, 5 attempts, dead kept 1d")
        self.assertEqual(lines[1].split(), ["URL", "QUEUE", "TYPE", "EVENTS"])
        self.assertEqual(lines[2].split(), [HOOK, "mail", "*", "job.failed"])
        self.assertEqual(json.loads(self.ok("webhooks", "hooks", "--json")),
                         {"enabled": True, "max_attempts": 5, "dead_retention_ms": 86400000,
                          "hooks": [{"url": HOOK, "queue": "mail", "type": None, "events": ["job.failed"]}]})

    def test_a_dead_delivery_is_listed_shown_retried_and_removed(self):
        job_id = self.cancelled_job(REFUSED)
        dead = self.dead_delivery_of(job_id)
        self.assertEqual((dead["event"], dead["attempts"], dead["url"]), ("job.cancelled", 1, REFUSED))
        self.assertNotIn("body", dead)

        lines = self.ok("webhooks", "ls", "--job", job_id).splitlines()
        self.assertEqual(lines[0].split(), ["ID", "EVENT", "STATUS", "ATTEMPTS", "JOB", "URL", "LAST"])
        self.assertEqual(len(lines), 2)
        cells = lines[1].split()
        self.assertEqual(cells[:6], [dead["id"], "job.cancelled", "dead", "1", job_id, REFUSED])
        self.assertEqual(cells[6], "refused:")

        shown = dict(line.split(":", 1) for line in self.ok("webhooks", "show", dead["id"]).splitlines())
        self.assertEqual(shown["id"].strip(), dead["id"])
        self.assertEqual(shown["job"].strip(), job_id)
        self.assertEqual(shown["status"].strip(), "dead")
        self.assertIn("refused", shown["last error"])
        self.assertNotIn("next attempt", shown)
        body = json.loads(shown["body"])
        self.assertEqual((body["event"], body["job"]["id"]), ("job.cancelled", job_id))
        full = json.loads(self.ok("webhooks", "show", dead["id"], "--json"))
        self.assertEqual(full["body"], body)
        self.assertEqual({k: v for k, v in full.items() if k != "body"}, dead)

        self.assertEqual(self.ok("webhooks", "retry", dead["id"]), f"{dead['id']} pending\n")
        again = self.delivery_of(job_id, lambda d: d["status"] == "dead" and d["attempts"] == 1
                                 and d["updated_at"] != dead["updated_at"])
        self.assertEqual(again["id"], dead["id"])

        self.assertEqual(json.loads(self.ok("webhooks", "rm", dead["id"], "--json"))["id"], dead["id"])
        self.assertIn("404 not_found", self.fails(NOT_FOUND, "webhooks", "show", dead["id"]))
        self.fails(NOT_FOUND, "webhooks", "retry", dead["id"])
        self.fails(NOT_FOUND, "webhooks", "rm", dead["id"])
        self.assertEqual(json.loads(self.ok("webhooks", "ls", "--job", job_id, "--json")),
                         {"deliveries": [], "next_cursor": None})

    def test_a_pending_delivery_is_not_retried(self):
        job_id = self.cancelled_job(SILENT)
        pending = self.delivery_of(job_id, lambda d: d["attempts"] == 1 and not d["claimed"] and d["last_error"])
        self.assertEqual(pending["status"], "pending")
        self.assertIsNotNone(pending["next_at"])
        err = self.fails(CONFLICT, "webhooks", "retry", pending["id"])
        self.assertIn(f"jobq: webhooks retry {pending['id']}: 409 conflict", err)
        shown = self.ok("webhooks", "show", pending["id"])
        self.assertIn("next attempt: ", shown)
        self.assertEqual(self.ok("webhooks", "rm", pending["id"]), f"{pending['id']} removed\n")
        self.assertEqual(self.ok("webhooks", "ls", "--job", job_id).splitlines()[1:], [])

    def test_ls_pages_and_filters(self):
        jobs = [self.cancelled_job(REFUSED) for _ in range(2)]
        ids = [self.dead_delivery_of(j)["id"] for j in jobs]
        r = self.jobq("webhooks", "ls", "--status", "dead", "--limit", "1")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(r.stdout.splitlines()), 2)
        self.assertIn("more: --cursor ", r.stderr)
        listed = json.loads(self.ok("webhooks", "ls", "-s", "dead", "-n", "1", "--all", "--json"))
        self.assertIsNone(listed["next_cursor"])
        self.assertTrue(set(ids) <= {d["id"] for d in listed["deliveries"]})
        self.assertTrue(all(d["status"] == "dead" for d in listed["deliveries"]))
        pending = json.loads(self.ok("webhooks", "ls", "--status", "pending", "--json"))["deliveries"]
        self.assertFalse(set(ids) & {d["id"] for d in pending})

    def test_refusals_are_usage_errors(self):
        self.fails(USAGE, "webhooks")
        self.fails(USAGE, "webhooks", "ls", "--status", "delivered")
        self.fails(USAGE, "webhooks", "ls", "--limit", "0")
        self.fails(USAGE, "webhooks", "show")
        self.fails(USAGE, "webhooks", "retry")
        self.assertIn("404 not_found", self.fails(NOT_FOUND, "webhooks", "show", UNKNOWN_ID))
        self.assertIn("(callback_url)", self.fails(USAGE, "submit", "t", "--callback-url", "ftp://example.com/x"))


class WebhooksOff(CliTestCase):
    def test_without_a_secret_nothing_is_called(self):
        self.assertEqual(self.ok("webhooks", "hooks"), "webhooks: off (jobqd has no webhook_secret)\n")
        self.assertFalse(json.loads(self.ok("webhooks", "hooks", "--json"))["enabled"])
        self.assertEqual(self.ok("webhooks", "ls").splitlines()[1:], [])
        err = self.fails(USAGE, "submit", "t", "--callback-url", SILENT)
        self.assertIn("(callback_url)", err)

    def test_the_flag_says_what_it_needs(self):
        self.assertIn("needs a jobqd with webhook_secret", self.ok("submit", "--help"))


class WebhooksNeedAnOperator(WebhooksTestCase):
    server_args = ("--api-keys", "adm:admin,view:viewer")
    server_key = "adm"

    def test_a_viewer_may_look_but_not_retry_or_remove(self):
        self.assertEqual(self.ok("webhooks", "ls", key="view").split(),
                         ["ID", "EVENT", "STATUS", "ATTEMPTS", "JOB", "URL", "LAST"])
        self.assertTrue(self.ok("webhooks", "hooks", key="view").startswith("webhooks: on"))
        self.assertIn("403 forbidden", self.fails(AUTH, "webhooks", "retry", UNKNOWN_ID, key="view"))
        self.assertIn("403 forbidden", self.fails(AUTH, "webhooks", "rm", UNKNOWN_ID, key="view"))
        self.assertIn("401", self.fails(AUTH, "webhooks", "ls"))


if __name__ == "__main__":
    unittest.main()
