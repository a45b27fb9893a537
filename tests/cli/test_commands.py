"""The `jobq` commands' output and exit codes against a real jobqd: submit and its flags, payload
input, get, ls, cancel, retry, dlq, stats, queues, workers, tail, bench, usage and errors (limits:
test_limit_commands.py)."""

import json
import os
import re
import signal
import tempfile
import unittest

from jobq_cli import (AUTH, CONFLICT, NOT_FOUND, OK, UNAVAILABLE, USAGE, CliTestCase, Server,
                      run, unique, wait_until)


class Submit(CliTestCase):
    def test_prints_the_id_of_a_queued_job(self):
        out = self.ok("submit", "email", '{"to": "a@b"}', "--queue", self.queue)
        job_id = out.strip()
        job = self.api.get(job_id)
        self.assertEqual((job["type"], job["queue"], job["status"], job["payload"]),
                         ("email", self.queue, "queued", {"to": "a@b"}))

    def test_every_job_option_as_a_flag(self):
        dep = self.api.submit(type="first", queue=self.queue)
        out = self.ok("submit", "report", "--queue", self.queue, "--priority", "high",
                      "--max-attempts", "7", "--backoff", '{"initial_ms":10,"factor":3,"max_ms":100,"jitter":false}',
                      "--timeout", "30s", "--soft-timeout", "1500", "--user", "u-1", "--tag", "a",
                      "-t", "b", "--idempotency-key", "k-" + self.queue, "--depends-on", dep["id"],
                      "--result-ttl", "2d", "--json")
        job = json.loads(out)
        self.assertEqual(job["priority"], 80)
        self.assertEqual(job["max_attempts"], 7)
        self.assertEqual(job["backoff"], {"initial_ms": 10, "factor": 3, "max_ms": 100, "jitter": False})
        self.assertEqual((job["timeout_ms"], job["soft_timeout_ms"]), (30000, 1500))
        self.assertEqual((job["user_id"], job["tags"]), ("u-1", ["a", "b"]))
        self.assertEqual(job["idempotency_key"], "k-" + self.queue)
        self.assertEqual((job["depends_on"], job["status"]), ([dep["id"]], "waiting"))
        self.assertEqual(job["result_ttl_ms"], 2 * 86400000)
        # The same key while the job is unfinished: the same job.
        again = self.ok("submit", "report", "--queue", self.queue, "--idempotency-key", "k-" + self.queue)
        self.assertEqual(again.strip(), job["id"])

    def test_a_callback_url_is_refused_until_webhooks_exist(self):
        err = self.fails(USAGE, "submit", "t", "--queue", self.queue, "--callback-url", "http://127.0.0.1:9/hook")
        self.assertIn("callback_url", err)

    def test_delay_and_run_at_schedule(self):
        delayed = json.loads(self.ok("submit", "t", "--queue", self.queue, "--delay", "1h", "--json"))
        self.assertEqual(delayed["status"], "scheduled")
        at = json.loads(self.ok("submit", "t", "--queue", self.queue, "--run-at",
                                "2999-01-01T00:00:00Z", "--json"))
        self.assertEqual((at["status"], at["run_at"]), ("scheduled", "2999-01-01T00:00:00.000Z"))
        err = self.fails(USAGE, "submit", "t", "--delay", "1s", "--run-at", "2999-01-01T00:00:00Z")
        self.assertIn("excludes", err)

    def test_payload_from_a_file_and_from_stdin(self):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            f.write('{"from": "file"}')
        self.addCleanup(os.unlink, f.name)
        by_file = self.ok("submit", "t", "@" + f.name, "--queue", self.queue).strip()
        self.assertEqual(self.api.get(by_file)["payload"], {"from": "file"})
        by_stdin = self.ok("submit", "t", "-", "--queue", self.queue, input='[1, "two"]').strip()
        self.assertEqual(self.api.get(by_stdin)["payload"], [1, "two"])
        no_payload = self.ok("submit", "t", "--queue", self.queue).strip()
        self.assertIsNone(self.api.get(no_payload)["payload"])

    def test_bad_input_is_a_usage_error_naming_what(self):
        before = self.api.job_count()
        self.assertIn("payload", self.fails(USAGE, "submit", "t", "not json"))
        self.assertIn("/nonexistent.json", self.fails(USAGE, "submit", "t", "@/nonexistent.json"))
        self.assertIn("--priority", self.fails(USAGE, "submit", "t", "--priority", "urgent"))
        self.assertIn("--timeout", self.fails(USAGE, "submit", "t", "--timeout", "soon"))
        self.assertIn("--backoff", self.fails(USAGE, "submit", "t", "--backoff", "{"))
        # A misspelt backoff field is refused, as the server refuses it in a submit.
        self.assertIn("--backoff.intial_ms",
                      self.fails(USAGE, "submit", "t", "--backoff", '{"intial_ms":5}'))
        # Refused by the server (400): the field it names comes through.
        err = self.fails(USAGE, "submit", "bad type!", "--queue", self.queue)
        self.assertIn("400 invalid_argument (type)", err)
        self.assertIn("priority", self.fails(USAGE, "submit", "t", "--priority", "101"))
        self.assertEqual(self.api.job_count(), before, "nothing refused was written")


class Inspect(CliTestCase):
    def test_get_shows_the_job(self):
        job = self.api.submit(type="resize", queue=self.queue, payload={"w": 10}, tags=["x"])
        out = self.ok("get", job["id"])
        fields = dict(re.match(r"([a-z ]+):\s+(.*)", line).groups() for line in out.splitlines())
        self.assertEqual(fields["id"], job["id"])
        self.assertEqual((fields["type"], fields["queue"], fields["status"]), ("resize", self.queue, "queued"))
        self.assertEqual((fields["payload"], fields["tags"], fields["attempt"]), ('{"w":10}', "x", "0/3"))
        self.assertEqual(json.loads(self.ok("get", job["id"], "--json")), self.api.get(job["id"]))

    def test_get_unknown_is_not_found(self):
        err = self.fails(NOT_FOUND, "get", "0190f0f0-0000-7000-8000-000000000000")
        self.assertIn("404 not_found", err)

    def test_ls_is_an_aligned_table_with_filters(self):
        ids = [self.api.submit(type=t, queue=self.queue)["id"] for t in ("alpha", "a-much-longer-type", "c")]
        self.api.cancel(ids[2])
        out = self.ok("ls", "--queue", self.queue, "--status", "queued")
        lines = out.splitlines()
        self.assertEqual(len(lines), 3, out)
        header = lines[0]
        self.assertTrue(header.startswith("ID  "), header)
        for column in ("TYPE", "QUEUE", "STATUS", "PROGRESS", "ATTEMPT", "CREATED"):
            start = header.index(column)
            for row in lines[1:]:
                self.assertEqual(row[start - 2:start], "  ", f"column {column} lines up:\n{out}")
                self.assertNotEqual(row[start], " ", f"column {column} lines up:\n{out}")
        self.assertEqual([l.split()[0] for l in lines[1:]], [ids[1], ids[0]], "newest first")
        self.assertNotIn(ids[2], out)
        listed = json.loads(self.ok("ls", "--queue", self.queue, "--json"))
        self.assertEqual([j["id"] for j in listed["jobs"]], ids[::-1])
        self.assertIsNone(listed["next_cursor"])

    def test_ls_pages(self):
        ids = [self.api.submit(type="p", queue=self.queue)["id"] for _ in range(5)]
        r = self.jobq("ls", "--queue", self.queue, "--limit", "2", "--order", "asc")
        self.assertEqual(r.returncode, OK, r.stderr)
        self.assertEqual([l.split()[0] for l in r.stdout.splitlines()[1:]], ids[:2])
        self.assertIn("more: --cursor ", r.stderr)
        every = json.loads(self.ok("ls", "--queue", self.queue, "--limit", "2", "--order", "asc", "--all", "--json"))
        self.assertEqual([j["id"] for j in every["jobs"]], ids)
        self.assertIn("--status", self.fails(USAGE, "ls", "--status", "sleeping"))

    def test_cancel_and_retry(self):
        job = self.api.submit(type="t", queue=self.queue)
        self.assertEqual(self.ok("cancel", job["id"]), f"{job['id']} cancelled\n")
        self.assertIn("409 conflict", self.fails(CONFLICT, "cancel", job["id"]))
        self.assertEqual(self.ok("retry", job["id"]), f"{job['id']} queued\n")
        self.assertEqual(self.api.status_of(job["id"]), "queued")
        self.fails(NOT_FOUND, "retry", "0190f0f0-0000-7000-8000-000000000000")


class Operators(CliTestCase):
    def dead_letter(self):
        type_ = unique("d")  # leases take this job, not one queued again earlier
        job = self.api.submit(type=type_, queue=self.queue, max_attempts=1)
        leased = self.api.lease_one("w", queues=[self.queue], types=[type_])
        self.api.fail(job["id"], leased["lease_token"], error="broken")
        return job["id"]

    def test_dlq_ls_retry_purge(self):
        first, second = self.dead_letter(), self.dead_letter()
        out = self.ok("dlq", "ls", "--queue", self.queue)
        self.assertEqual({l.split()[0] for l in out.splitlines()[1:]}, {first, second})
        self.assertEqual(self.ok("dlq", "retry", first), f"{first} queued\n")
        self.assertEqual(self.api.status_of(first), "queued")
        r = self.jobq("dlq", "retry", "--all", "--queue", self.queue)
        self.assertEqual((r.returncode, r.stdout), (OK, f"{second} queued\n"), r.stderr)
        self.assertIn("retried 1 dead letters", r.stderr)
        self.fails(USAGE, "dlq", "retry")
        self.dead_letter()
        out = self.ok("dlq", "purge")
        self.assertRegex(out, r"^purged [1-9][0-9]*\n$")
        self.assertEqual(self.api.dead_letters()["jobs"], [])

    def test_stats(self):
        type_ = unique("s")  # no other test's jobs in its row
        self.api.submit(type=type_, queue=self.queue)
        out = self.ok("stats")
        self.assertRegex(out.splitlines()[0], r"^jobs: waiting \d+, scheduled \d+, queued [1-9]")
        row = next(l for l in out.splitlines() if l.startswith(self.queue + " "))
        self.assertEqual(row.split()[1:], ["0", "0", "1", "0", "0", "0", "0"])
        self.assertIn("by_status", json.loads(self.ok("stats", "--json")))
        # No finished attempt yet: no run figures, rather than zeros.
        self.assertEqual(self.ok("stats", type_).splitlines()[1].split(),
                         [type_, "1", "0", "0", "0", "0", "-", "-", "-"])
        self.fails(NOT_FOUND, "stats", unique("never"))

    def test_queues_ls_pause_resume(self):
        self.api.submit(type="s", queue=self.queue)
        self.assertEqual(self.ok("queues", "pause", self.queue), f"{self.queue} paused\n")
        row = next(l for l in self.ok("queues", "ls").splitlines() if l.startswith(self.queue + " "))
        self.assertEqual(row.split()[1:], ["paused", "0", "0", "1", "0", "0", "0", "0", "-", "-"])
        self.assertEqual(self.api.lease("w", queues=[self.queue]), [])
        self.assertEqual(self.ok("queues", "resume", self.queue), f"{self.queue} running\n")
        listed = json.loads(self.ok("queues", "ls", "--json"))
        self.assertIn(self.queue, [q["name"] for q in listed["queues"]])

    def test_schedule_add_ls_trigger_pause_resume_rm(self):
        name = unique("sched")
        out = self.ok("schedule", "add", name, "30 2 * * *", "report", '{"kind":"daily"}', "--tz",
                      "Europe/Berlin", "-q", self.queue, "--overlap", "skip", "--json")
        created = json.loads(out)
        self.assertEqual((created["cron"], created["timezone"], created["overlap"]),
                         ("30 2 * * *", "Europe/Berlin", "skip"))
        self.assertEqual((created["job"]["type"], created["job"]["queue"], created["job"]["payload"]),
                         ("report", self.queue, {"kind": "daily"}))
        self.assertRegex(created["next_run_at"], r"T0[01]:30:00\.000Z$")  # 02:30 in Berlin
        row = next(l for l in self.ok("schedule", "ls").splitlines() if l.startswith(name + " "))
        self.assertEqual(row.split()[6:8], ["Europe/Berlin", "report"])
        job_id = self.ok("schedule", "trigger", name).strip()
        self.assertEqual(self.api.get(job_id)["tags"], [f"schedule:{name}"])
        self.assertRegex(self.ok("schedule", "pause", name), rf"^{name} paused next ")
        self.assertRegex(self.ok("schedule", "resume", name), rf"^{name} active next ")
        self.assertEqual(self.ok("schedule", "rm", name), f"{name} removed\n")
        self.assertIn("404 not_found", self.fails(NOT_FOUND, "schedule", "rm", name))

    def test_schedule_add_refusals_name_the_field_or_flag(self):
        self.assertIn("(cron)", self.fails(USAGE, "schedule", "add", unique("s"), "0 3 * *", "t"))
        self.assertIn("(job.delay_ms)", self.fails(USAGE, "schedule", "add", unique("s"), "@daily", "t",
                                                   "--delay", "5s"))
        self.assertIn("--overlap", self.fails(USAGE, "schedule", "add", unique("s"), "@daily", "t",
                                              "--overlap", "never"))

    def test_workers_ls_scale_quiet_stop(self):
        worker = unique("w")
        self.api.call("POST", f"/workers/{worker}/beat", {"types": ["a", "b"], "queues": [self.queue],
                                                          "concurrency": 2, "running": 1, "host": "h", "pid": 42})
        row = next(l for l in self.ok("workers", "ls").splitlines() if l.startswith(worker + " "))
        self.assertEqual(row.split()[1:7], ["active", "h", "42", "1/2", "a,b", self.queue])
        self.assertEqual(self.ok("workers", "scale", worker, "5"), f"{worker} active concurrency=5\n")
        self.assertIn(f"{worker} quiet", self.ok("workers", "quiet", worker))
        self.assertIn(f"{worker} stopping", self.ok("workers", "stop", worker))
        self.fails(NOT_FOUND, "workers", "quiet", unique("nobody"))
        self.assertEqual(self.api.call("POST", f"/workers/{worker}/beat", {})["command"], "stop")

    def test_tail_follows_filtered_events(self):
        t = self.running("tail", "--queue", self.queue, "--type", "seen", "--event", "submitted,cancelled")
        # The stream has no "subscribed" message: submit until one shows, within a deadline.
        probes = []

        def probe_seen():
            probes.append(self.api.submit(type="seen", queue=self.queue)["id"])
            return any(p in line for line in t.stdout_lines() for p in probes)
        wait_until(probe_seen, timeout=15.0, interval=0.2, message="tail to show a submitted job")
        other = self.api.submit(type="unseen", queue=self.queue)
        job = self.api.submit(type="seen", queue=self.queue)
        self.api.cancel(job["id"])
        line = t.wait_stdout(lambda l: job["id"] in l and " cancelled " in l)
        self.assertRegex(line, r"^\S+Z  cancelled +" + job["id"] + "  seen  " + self.queue + "  cancelled$")
        t.wait_stdout(lambda l: job["id"] in l and " submitted " in l)
        self.assertFalse(any(other["id"] in l for l in t.stdout_lines()), "the type filter holds")
        self.assertFalse(any(" queued " in l.split(job["id"])[0] for l in t.stdout_lines()),
                         "the event filter holds")

    def test_tail_count_and_json(self):
        t = self.running("tail", "--queue", self.queue, "--event", "cancelled", "--count", "1", "--json")

        def cancel_one():
            self.api.cancel(self.api.submit(type="c", queue=self.queue)["id"])
            return t.proc.poll() is not None
        wait_until(cancel_one, timeout=15.0, interval=0.2, message="tail --count 1 to end")
        self.assertEqual(t.wait_exit(), OK, t.stderr_text())
        lines = t.stdout_lines()
        self.assertEqual(len(lines), 1, lines)
        message = json.loads(lines[0])
        self.assertEqual((message["event"], message["job"]["status"]), ("cancelled", "cancelled"))

    def test_bench_reports_throughput_and_latency(self):
        out = self.ok("bench", "--duration", "1s", "--producers", "2", "--workers", "2",
                      "--batch", "5", "--payload-bytes", "64", "--json")
        report = json.loads(out)
        self.assertGreater(report["submitted"], 0)
        self.assertEqual(report["completed"], report["submitted"])
        self.assertEqual(report["submitted"] % 5, 0, "whole batches")
        for key in ("submit_latency", "end_to_end_latency"):
            s = report[key]
            self.assertGreater(s["count"], 0)
            self.assertLessEqual(s["p50_ms"], s["p95_ms"])
            self.assertLessEqual(s["p95_ms"], s["p99_ms"])
            self.assertLessEqual(s["p99_ms"], s["max_ms"])
        self.assertEqual(self.api.list_jobs(queue=report["queue"], status="queued")["jobs"], [])


class UsageAndErrors(CliTestCase):
    def test_help_documents_the_exit_codes(self):
        out = self.ok("--help")
        self.assertIn("Exit codes:", out)
        for code in range(10):
            self.assertRegex(out, rf"\n  {code}  \S")
        for command in ("submit", "get", "ls", "cancel", "retry", "dlq", "stats", "queues", "limits",
                        "workers", "tail", "worker", "bench"):
            self.assertRegex(out, rf"\n  {command} ")

    def test_usage_errors_exit_2(self):
        self.fails(USAGE, "submit")
        self.fails(USAGE, "get", "x", "--no-such-flag")
        self.fails(USAGE)
        self.fails(USAGE, "dlq")

    def test_unreachable_server_exits_5(self):
        err = self.fails(UNAVAILABLE, "--url", "http://127.0.0.1:1", "ls")
        self.assertIn("connect_failed", err)
        self.assertIn("http://127.0.0.1:1", err)

    def test_url_flag_beats_the_environment(self):
        r = run(self.server, "ls", "--url", f"http://127.0.0.1:{self.server.port}",
                env={"JOBQ_URL": "http://127.0.0.1:1"})
        self.assertEqual(r.returncode, OK, r.stderr)


class Auth(CliTestCase):
    server_args = ("--api-keys", "adm:admin,view:viewer")
    server_key = "adm"

    def test_keys_from_flag_and_environment(self):
        self.assertIn("401 unauthorized", self.fails(AUTH, "ls"))
        self.fails(AUTH, "ls", "--key", "wrong")
        self.ok("ls", "--key", "view")
        self.ok("ls", key="view")
        err = self.fails(AUTH, "submit", "t", key="view")
        self.assertIn("403 forbidden", err)
        self.ok("submit", "t", "--queue", self.queue, key="adm")


if __name__ == "__main__":
    unittest.main()
