"""Bad input: every refusal has the right status and code, names the field to blame, and changes
nothing (GET /stats by_status is the same before and after)."""

import json
import unittest

from jobqd import UNKNOWN_ID, ServerTestCase, assert_error, unique

MAX_PAYLOAD = 1000
MAX_BODY = 16384


def nested(depth):
    """A JSON array nested depth levels deep."""
    return "[" * depth + "]" * depth


class BadInput(ServerTestCase):
    server_args = ("--max-payload-bytes", MAX_PAYLOAD, "--max-body-bytes", MAX_BODY)

    def rejected(self, method, path, body=None, status=400, code="invalid_argument", field=None, params=None):
        """Sends one bad request; checks the error and that the job counts did not move."""
        before = self.api.stats()["by_status"]
        answer = self.api.request(method, path, body, params=params)
        err = assert_error(self, answer, status, code, field)
        self.assertEqual(self.api.stats()["by_status"], before, "a refused request changed the jobs")
        return err

    def submit_rejected(self, job, field, status=400, code="invalid_argument"):
        if isinstance(job, dict):
            job = {"queue": self.queue, **job}
        err = self.rejected("POST", "/jobs", job, status, code, field)
        self.assertEqual(self.api.list_jobs(queue=self.queue)["jobs"], [])
        return err

    # Bodies that are not a job.

    def test_malformed_json(self):
        for text in ('{"type": "t",', "{type: t}", "not json", '{"type": "t"} trailing', ""):
            with self.subTest(body=text):
                self.submit_rejected(text, "body")

    def test_a_key_given_twice_is_refused_naming_it(self):
        self.rejected("POST", "/jobs", '{"type":"a","queue":"q","type":"b"}', field="type")
        self.rejected("POST", "/jobs", '{"type":"a","payload":{"n":1,"n":2}}', field="n")
        self.rejected("POST", "/jobs/batch", '{"jobs":[{"type":"a","type":"a"}]}', field="type")

    def test_a_body_that_is_not_an_object(self):
        for text in ("[1, 2]", '"t"', "42", "null"):
            with self.subTest(body=text):
                self.submit_rejected(text, "body")

    def test_nesting_deeper_than_64(self):
        self.submit_rejected('{"type": "t", "queue": "%s", "payload": %s}' % (self.queue, nested(100)), "body")
        self.submit_rejected(nested(65), "body")

    def test_nesting_within_the_limit_is_fine(self):
        body = '{"type": "t", "queue": "%s", "payload": %s}' % (self.queue, nested(40))
        status, job, _ = self.api.request("POST", "/jobs", body)
        self.assertEqual(status, 201, job)
        self.assertEqual(json.dumps(job["payload"]).count("["), 40)

    # Fields.

    def test_unknown_field(self):
        self.submit_rejected({"type": "t", "colour": "red"}, "colour")

    def test_missing_type(self):
        self.submit_rejected({"payload": 1}, "type")
        self.submit_rejected({"type": ""}, "type")

    def test_wrongly_typed_fields(self):
        cases = [({"type": 7}, "type"), ({"type": "t", "queue": ["a"]}, "queue"),
                 ({"type": "t", "tags": "a,b"}, "tags"), ({"type": "t", "tags": [1]}, "tags"),
                 ({"type": "t", "max_attempts": "3"}, "max_attempts"),
                 ({"type": "t", "timeout_ms": "fast"}, "timeout_ms"),
                 ({"type": "t", "depends_on": "x"}, "depends_on"), ({"type": "t", "backoff": 5}, "backoff"),
                 ({"type": "t", "user_id": 12}, "user_id")]
        for job, field in cases:
            with self.subTest(job=job):
                self.submit_rejected(job, field)

    def test_bad_names(self):
        self.submit_rejected({"type": "has space"}, "type")
        self.submit_rejected({"type": "t", "queue": "no/slash"}, "queue")
        self.submit_rejected({"type": "x" * 129}, "type")

    def test_unknown_priority_alias(self):
        self.submit_rejected({"type": "t", "priority": "urgent"}, "priority")

    def test_priority_out_of_range(self):
        for priority in (101, -1, 50.5, True, None):
            with self.subTest(priority=priority):
                self.submit_rejected({"type": "t", "priority": priority}, "priority")

    def test_negative_delay(self):
        self.submit_rejected({"type": "t", "delay_ms": -1}, "delay_ms")

    def test_delay_and_run_at_together(self):
        self.submit_rejected({"type": "t", "delay_ms": 1000, "run_at": "2100-01-01T00:00:00Z"}, ("delay_ms", "run_at"))

    def test_bad_run_at(self):
        for run_at in ("tomorrow", "2026-13-01T00:00:00Z", "2026-01-01"):
            with self.subTest(run_at=run_at):
                self.submit_rejected({"type": "t", "run_at": run_at}, "run_at")

    def test_bad_max_attempts_and_timeouts(self):
        self.submit_rejected({"type": "t", "max_attempts": 0}, "max_attempts")
        self.submit_rejected({"type": "t", "timeout_ms": -5}, "timeout_ms")
        self.submit_rejected({"type": "t", "soft_timeout_ms": -5}, "soft_timeout_ms")
        self.submit_rejected({"type": "t", "timeout_ms": 1000, "soft_timeout_ms": 5000}, "soft_timeout_ms")

    def test_bad_backoff(self):
        self.submit_rejected({"type": "t", "backoff": {"initial_ms": 10, "colour": 1}}, "backoff.colour")
        self.submit_rejected({"type": "t", "backoff": {"initial_ms": -1}}, ("backoff", "backoff.initial_ms"))
        self.submit_rejected({"type": "t", "backoff": {"factor": 0.5}}, ("backoff", "backoff.factor"))

    def test_callback_url_is_refused_until_webhooks_exist(self):
        self.submit_rejected({"type": "t", "callback_url": "ftp://example.com/x"}, "callback_url")
        self.submit_rejected({"type": "t", "callback_url": "https://example.com/hook"}, "callback_url")

    def test_dependency_on_an_unknown_job(self):
        self.submit_rejected({"type": "t", "depends_on": [UNKNOWN_ID]}, "depends_on")
        self.submit_rejected({"type": "t", "depends_on": ["not-an-id"]}, "depends_on")

    # Sizes.

    def test_payload_over_the_cap_is_413(self):
        self.submit_rejected({"type": "t", "payload": "x" * (MAX_PAYLOAD + 100)}, "payload", 413, "payload_too_large")

    def test_payload_at_the_cap_is_fine(self):
        job = self.api.submit(type="t", queue=self.queue, payload="x" * (MAX_PAYLOAD - 10))
        self.assertEqual(len(job["payload"]), MAX_PAYLOAD - 10)

    def test_body_over_the_limit_is_413(self):
        # Valid JSON with a small payload, padded with whitespace past --max-body-bytes.
        body = '{"type": "t", "queue": "%s", "payload": 1%s}' % (self.queue, " " * (MAX_BODY + 1000))
        self.submit_rejected(body, None, 413, "payload_too_large")
        self.assertEqual(self.api.request("GET", "/health", absolute=True)[0], 200, "the server lives on")

    def test_result_over_the_cap_is_413_and_the_job_keeps_running(self):
        job = self.api.submit(type="t", queue=self.queue)
        leased = self.api.lease_one("w", queues=[self.queue])
        self.rejected("POST", f"/jobs/{job['id']}/complete",
                      {"lease_token": leased["lease_token"], "result": "x" * (MAX_PAYLOAD + 100)},
                      413, "payload_too_large", "result")
        self.assertEqual(self.api.status_of(job["id"]), "running")

    # Batches.

    def test_batch_refusals(self):
        ok = {"type": "t", "queue": self.queue}
        cases = [({"jobs": []}, "jobs"), ({}, "jobs"), ({"jobs": {"type": "t"}}, "jobs"),
                 ({"jobs": [ok, {"queue": self.queue}]}, "jobs[1].type"),
                 ({"jobs": [ok, ok, {**ok, "priority": "urgent"}]}, "jobs[2].priority"),
                 ({"jobs": [ok, {**ok, "delay_ms": -1}]}, "jobs[1].delay_ms")]
        for body, field in cases:
            with self.subTest(field=field, n=len(body.get("jobs", ()))):
                self.rejected("POST", "/jobs/batch", body, 400, "invalid_argument", field)
                self.assertEqual(self.api.list_jobs(queue=self.queue)["jobs"], [])

    def test_batch_with_one_payload_over_the_cap(self):
        ok = {"type": "t", "queue": self.queue}
        self.rejected("POST", "/jobs/batch", {"jobs": [ok, {**ok, "payload": "x" * (MAX_PAYLOAD + 100)}]},
                      413, "payload_too_large", "jobs[1].payload")
        self.assertEqual(self.api.list_jobs(queue=self.queue)["jobs"], [])

    # Unknown things.

    def test_unknown_job_id_is_404(self):
        for method, path, body in (("GET", f"/jobs/{UNKNOWN_ID}", None),
                                   ("POST", f"/jobs/{UNKNOWN_ID}/cancel", None),
                                   ("POST", f"/jobs/{UNKNOWN_ID}/retry", None),
                                   ("DELETE", f"/jobs/{UNKNOWN_ID}", None),
                                   ("PATCH", f"/jobs/{UNKNOWN_ID}", {"priority": 1}),
                                   ("POST", f"/jobs/{UNKNOWN_ID}/heartbeat", {"lease_token": "0" * 32}),
                                   ("POST", f"/jobs/{UNKNOWN_ID}/complete", {"lease_token": "0" * 32}),
                                   ("POST", f"/jobs/{UNKNOWN_ID}/fail", {"lease_token": "0" * 32, "error": "x"}),
                                   ("GET", "/jobs/not-a-job-id", None)):
            with self.subTest(method=method, path=path):
                self.rejected(method, path, body, 404, "not_found")

    def test_unknown_route_is_404(self):
        for path in ("/api/v1/nope", "/api/v1/jobs/x/y/z", "/nope", "/api/v2/jobs"):
            with self.subTest(path=path):
                before = self.api.stats()["by_status"]
                assert_error(self, self.api.request("GET", path, absolute=True), 404, "route_not_found")
                self.assertEqual(self.api.stats()["by_status"], before)

    def test_wrong_method_is_405(self):
        for method, path in (("PUT", "/jobs"), ("DELETE", "/stats"), ("GET", "/lease"), ("GET", "/ack"),
                             ("POST", "/health"), ("PUT", f"/jobs/{UNKNOWN_ID}")):
            with self.subTest(method=method, path=path):
                self.rejected(method, path, {"type": "t"} if method in ("PUT", "POST") else None,
                              405, "method_not_allowed")

    # Query parameters.

    def test_bad_query_params(self):
        cases = [({"status": "bogus"}, "status"), ({"status": "queued,bogus"}, "status"),
                 ({"limit": 0}, "limit"), ({"limit": 1001}, "limit"), ({"limit": "ten"}, "limit"),
                 ({"sort": "colour"}, "sort"), ({"order": "sideways"}, "order"),
                 ({"created_after": "yesterday"}, "created_after"), ({"created_before": "2026-99"}, "created_before"),
                 ({"cursor": "garbage"}, "cursor"), ({"offset": -1}, "offset")]
        for params, field in cases:
            with self.subTest(params=params):
                self.rejected("GET", "/jobs", params=params, field=field)
                if field != "status":  # /dead-letters fixes the status itself
                    assert_error(self, self.api.request("GET", "/dead-letters", params=params), 400,
                                 "invalid_argument", field)

    def test_bad_wait_timeout(self):
        job = self.api.submit(type="t", queue=self.queue)
        self.rejected("GET", f"/jobs/{job['id']}/wait", params={"timeout_ms": "soon"}, field="timeout_ms")

    # Workers.

    def test_bad_lease_requests(self):
        for body, field in (({}, "worker_id"), ({"worker_id": ""}, "worker_id"),
                            ({"worker_id": "w", "max_jobs": 0}, "max_jobs"),
                            ({"worker_id": "w", "lease_ms": 10}, "lease_ms"),
                            ({"worker_id": "w", "queues": []}, "queues"),
                            ({"worker_id": "w", "queues": "default"}, "queues")):
            with self.subTest(body=body):
                self.rejected("POST", "/lease", body, field=field)

    def test_bad_heartbeats_change_nothing(self):
        self.api.submit(type="t", queue=self.queue)
        leased = self.api.lease_one("w", queues=[self.queue])
        path = f"/jobs/{leased['id']}/heartbeat"
        for body, field in (({}, "lease_token"), ({"lease_token": leased["lease_token"], "progress": 150}, "progress"),
                            ({"lease_token": leased["lease_token"], "progress": -1}, "progress"),
                            ({"lease_token": leased["lease_token"], "processed_items": -1}, "processed_items")):
            with self.subTest(body=body):
                self.rejected("POST", path, body, field=field)
        job = self.api.get(leased["id"])
        self.assertEqual(job["progress"], 0)
        self.assertEqual(job["lease_expires_at"], leased["lease_expires_at"])

    def test_stale_lease_token_is_409_and_changes_nothing(self):
        self.api.submit(type="t", queue=self.queue)
        leased = self.api.lease_one("w", queues=[self.queue])
        before = self.api.get(leased["id"])
        for path, body in (("heartbeat", {"lease_token": "0" * 32, "progress": 50}),
                           ("complete", {"lease_token": "0" * 32, "result": 1}),
                           ("fail", {"lease_token": "0" * 32, "error": "x"})):
            with self.subTest(path=path):
                self.rejected("POST", f"/jobs/{leased['id']}/{path}", body, 409, "conflict")
        after = self.api.get(leased["id"])
        for field in ("status", "progress", "attempt", "lease_expires_at", "worker_id", "errors", "result"):
            self.assertEqual(after.get(field), before.get(field), field)

    def test_complete_of_a_queued_job_is_409(self):
        job = self.api.submit(type="t", queue=self.queue)
        self.rejected("POST", f"/jobs/{job['id']}/complete", {"lease_token": "0" * 32}, 409, "conflict")
        self.assertEqual(self.api.status_of(job["id"]), "queued")

    def test_retry_of_a_queued_job_is_409(self):
        job = self.api.submit(type="t", queue=self.queue)
        self.rejected("POST", f"/jobs/{job['id']}/retry", None, 409, "conflict")
        self.assertEqual(self.api.get(job["id"])["status"], "queued")

    def test_bad_patch(self):
        job = self.api.submit(type="t", queue=self.queue)
        self.rejected("PATCH", f"/jobs/{job['id']}", {"priority": 101}, field="priority")
        self.rejected("PATCH", f"/jobs/{job['id']}", {"delay_ms": -5}, field="delay_ms")
        self.rejected("PATCH", f"/jobs/{job['id']}", "{oops", field="body")
        # A field that cannot change is named, not the body as a whole.
        self.rejected("PATCH", f"/jobs/{job['id']}", {"type": "x"}, field="type")
        self.rejected("PATCH", f"/jobs/{job['id']}", {}, field="body")
        self.assertEqual(self.api.get(job["id"])["priority"], 50)

    def test_bad_maintenance_purge(self):
        self.rejected("POST", "/maintenance/purge", {"older_than_s": -1}, field="older_than_s")
        self.rejected("POST", "/maintenance/purge", {"older_than_s": 0, "statuses": ["bogus"]}, field="statuses")


class BadInputLeavesNoTrace(ServerTestCase):
    """After a storm of refusals, the server still works and holds exactly the jobs it accepted."""

    def test_refusals_then_normal_work(self):
        for body in ('{"type":', {"type": "t", "colour": 1}, {"priority": 1}, {"type": "t", "delay_ms": -1}):
            self.api.request("POST", "/jobs", body)
        self.assertEqual(self.api.job_count(), 0)
        job = self.api.submit(type="t", queue=unique("q"))
        self.assertEqual(self.api.job_count(), 1)
        self.assertEqual(self.api.status_of(job["id"]), "queued")


if __name__ == "__main__":
    unittest.main()
