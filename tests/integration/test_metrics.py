"""GET /metrics (Prometheus text: counters, gauges, histograms, per-route request counts), checked by
value and by `promtool check metrics`; and the per-minute rates of GET /stats."""

import os
import re
import shutil
import subprocess
import time
import unittest

from jobqd import Server, ServerTestCase, unique, wait_until

# Debian's prometheus package; scripts/install-deps installs it. Its absence is a failure, not a skip.
PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"

# No retry before the test is over: a failed attempt stays `scheduled`.
LONG_BACKOFF = {"initial_ms": 600000, "factor": 1, "max_ms": 600000, "jitter": False}
NO_BACKOFF = {"initial_ms": 0, "factor": 1, "max_ms": 0, "jitter": False}

_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*')


def parse_metrics(text):
    """-> ({(name, frozenset(labels)): value}, {name: type}). Fails on a line it cannot read."""
    samples, types = {}, {}
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 4 and parts[1] == "TYPE":
                types[parts[2]] = parts[3].strip()
            continue
        m = _SAMPLE.match(line)
        if not m:
            raise AssertionError(f"unreadable metrics line: {line!r}")
        name, labels_text, value = m.groups()
        labels = {}
        if labels_text:
            pos = 0
            while pos < len(labels_text):
                lm = _LABEL.match(labels_text, pos)
                if not lm:
                    raise AssertionError(f"unreadable labels in {line!r}")
                labels[lm.group(1)] = lm.group(2)
                pos = lm.end()
        key = (name, frozenset(labels.items()))
        if key in samples:
            raise AssertionError(f"duplicate sample: {line!r}")
        samples[key] = float(value)
    return samples, types


class Scrape:
    def __init__(self, text):
        self.text = text
        self.samples, self.types = parse_metrics(text)

    def value(self, name, default=None, **labels):
        return self.samples.get((name, frozenset(labels.items())), default)

    def series(self, name):
        return {k[1]: v for k, v in self.samples.items() if k[0] == name}


class MetricsTestCase(ServerTestCase):
    """A fresh server for each class, so that counters start at zero."""

    store = "memory"

    def setUp(self):
        pass  # classes here name their queue once, in setUpClass, and their tests read it

    def scrape(self, path="/metrics"):
        status, _, headers = self.api.request("GET", path, absolute=True)
        self.assertEqual(status, 200, self.api.last_text)
        self.assertTrue(headers["Content-Type"].startswith("text/plain"), headers["Content-Type"])
        return Scrape(self.api.last_text)


class JobMetrics(MetricsTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        api, q, t = cls.api, unique("q"), unique("m")
        cls.queue, cls.type = q, t
        jobs = [api.submit(type=t, queue=q, max_attempts=2, backoff=LONG_BACKOFF) for _ in range(7)]
        leased = {j["id"]: j for j in api.lease("w1", queues=[q], max_jobs=5)}
        ids = [j["id"] for j in jobs]
        assert list(leased) == ids[:5], leased
        api.complete(ids[0], leased[ids[0]]["lease_token"], result=1)
        api.complete(ids[1], leased[ids[1]]["lease_token"], result=2)
        api.fail(ids[2], leased[ids[2]]["lease_token"], error="no", retryable=False)  # dead letter
        api.fail(ids[3], leased[ids[3]]["lease_token"], error="again")  # retrying: scheduled
        # ids[4] stays running
        api.cancel(ids[5])
        # ids[6] stays queued
        cls.ids = ids

    def test_job_counters(self):
        m = self.scrape()
        labels = {"queue": self.queue, "type": self.type}
        got = {name: m.value(f"jobq_jobs_{name}_total", **labels)
               for name in ("submitted", "completed", "failed", "retried", "cancelled")}
        self.assertEqual(got, {"submitted": 7, "completed": 2, "failed": 1, "retried": 1, "cancelled": 1},
                         m.text)
        for name in ("submitted", "completed", "failed", "retried", "cancelled"):
            self.assertEqual(m.types.get(f"jobq_jobs_{name}_total"), "counter")

    def test_queue_gauges(self):
        m = self.scrape()
        depth = {s: m.value("jobq_queue_depth", queue=self.queue, status=s) for s in ("waiting", "scheduled", "queued")}
        self.assertEqual(depth, {"waiting": 0, "scheduled": 1, "queued": 1}, m.text)
        self.assertEqual(m.value("jobq_jobs_running", queue=self.queue), 1, m.text)
        self.assertEqual(m.types.get("jobq_queue_depth"), "gauge")

    def check_histogram(self, m, name, queue, count):
        self.assertEqual(m.types.get(name), "histogram")
        self.assertEqual(m.value(f"{name}_count", queue=queue), count, m.text)
        buckets = sorted(((float(dict(k)["le"]), v) for k, v in m.series(f"{name}_bucket").items()
                          if dict(k)["queue"] == queue), key=lambda b: b[0])
        self.assertTrue(buckets, f"no buckets for {name}{{queue={queue}}}")
        self.assertEqual(buckets[-1], (float("inf"), count))
        values = [v for _, v in buckets]
        self.assertEqual(values, sorted(values), "buckets are cumulative")
        self.assertGreaterEqual(m.value(f"{name}_sum", queue=queue), 0)

    def test_run_and_wait_histograms(self):
        m = self.scrape()
        # Finished attempts: two completions, one dead letter, one retried attempt.
        self.check_histogram(m, "jobq_job_run_seconds", self.queue, 4)
        # Five jobs were started.
        self.check_histogram(m, "jobq_job_wait_seconds", self.queue, 5)

    def test_workers_alive_after_a_beat(self):
        worker = unique("w")
        before = self.scrape().value("jobq_workers_alive")
        self.assertIsNotNone(before)
        self.api.call("POST", f"/workers/{worker}/beat", {"concurrency": 2})
        self.assertEqual(self.scrape().value("jobq_workers_alive"), before + 1)

    def test_http_requests_by_route_template(self):
        route = "/api/v1/jobs/{id}"

        def count(status):
            return self.scrape().value("jobq_http_requests_total", 0, method="GET", route=route, status=status)

        ok_before, missing_before = count("200"), count("404")
        for job_id in self.ids[:3]:
            self.api.get(job_id)
        self.assertEqual(self.api.request("GET", f"/jobs/{unique('none')}")[0], 404)
        # A request is counted once its answer is written: wait for the count, never past it.
        wait_until(lambda: count("200") >= ok_before + 3 and count("404") >= missing_before + 1, timeout=5.0)
        self.assertEqual((count("200"), count("404")), (ok_before + 3, missing_before + 1))
        m = self.scrape()
        routes = {dict(k)["route"] for k in m.series("jobq_http_requests_total")}
        self.assertIn("/api/v1/jobs", routes)
        self.assertIn("/api/v1/lease", routes)
        self.assertFalse([r for r in routes if any(i in r for i in self.ids)],
                         f"routes must be templates, not paths with ids: {routes}")

    def test_an_unknown_route_is_counted_as_unmatched(self):
        self.assertEqual(self.api.request("GET", f"/{unique('nowhere')}")[0], 404)
        wait_until(lambda: self.scrape().value("jobq_http_requests_total", 0, method="GET", route="unmatched",
                                               status="404") >= 1, timeout=5.0)

    def test_served_at_the_root_and_under_api_v1(self):
        for path in ("/metrics", "/api/v1/metrics"):
            m = self.scrape(path)
            self.assertEqual(m.value("jobq_jobs_submitted_total", queue=self.queue, type=self.type), 7)

    def test_promtool_accepts_the_output(self):
        if not (os.path.isfile(PROMTOOL) and os.access(PROMTOOL, os.X_OK)):
            self.fail(f"promtool not found ({PROMTOOL}): install Debian's prometheus package "
                      "(scripts/install-deps does)")
        # Every kind of series is present: a worker, a request of each kind seen above.
        self.api.call("POST", f"/workers/{unique('w')}/beat", {})
        text = self.scrape().text
        result = subprocess.run([PROMTOOL, "check", "metrics"], input=text.encode(), capture_output=True,
                                timeout=60)
        self.assertEqual(result.returncode, 0,
                         f"promtool check metrics failed:\n{result.stdout.decode()}{result.stderr.decode()}\n"
                         f"--- input ---\n{text}")


class RetriesWithoutBackoff(MetricsTestCase):
    def test_an_attempt_retried_at_once_counts_as_retried(self):
        """A failed attempt whose backoff is 0 is queued again at once; it is still a retry and a
        finished attempt, like one retried after a backoff."""
        q, t = unique("q"), unique("m")
        job = self.api.submit(type=t, queue=q, max_attempts=3, backoff=NO_BACKOFF)
        leased = self.api.lease_one("w1", queues=[q])
        failed = self.api.fail(job["id"], leased["lease_token"], error="again")
        self.assertEqual(failed["status"], "queued")
        m = self.scrape()
        self.assertEqual(m.value("jobq_jobs_retried_total", 0, queue=q, type=t), 1, m.text)
        self.assertEqual(m.value("jobq_job_run_seconds_count", 0, queue=q), 1, m.text)


class LastMinuteStats(MetricsTestCase):
    def rates(self, stats=None):
        stats = stats or self.api.stats()
        self.assertIn("last_minute", stats)
        self.assertEqual(set(stats["last_minute"]), {"completed_per_s", "failed_per_s"})
        return stats["last_minute"]

    def test_last_minute_rises_after_completions_and_failures(self):
        q, t = unique("q"), unique("s")
        before = self.rates()
        self.assertEqual(before, {"completed_per_s": 0, "failed_per_s": 0}, "a fresh server has done nothing")
        for _ in range(3):
            self.api.submit(type=t, queue=q)
        for job in self.api.lease("w1", queues=[q], max_jobs=3):
            self.api.complete(job["id"], job["lease_token"])
        after = self.rates()
        self.assertGreater(after["completed_per_s"], before["completed_per_s"])
        self.assertAlmostEqual(after["completed_per_s"], 3 / 60, places=6)
        self.assertEqual(after["failed_per_s"], 0)

        job = self.api.submit(type=t, queue=q, max_attempts=1)
        leased = self.api.lease_one("w1", queues=[q])
        self.api.fail(job["id"], leased["lease_token"], error="no")
        stats = self.api.stats()
        rates = self.rates(stats)
        self.assertAlmostEqual(rates["failed_per_s"], 1 / 60, places=6)
        self.assertAlmostEqual(rates["completed_per_s"], 3 / 60, places=6)
        by_type = {e["type"]: e for e in stats["types"]}
        self.assertAlmostEqual(by_type[t]["last_minute"]["completed_per_s"], 3 / 60, places=6)
        self.assertAlmostEqual(by_type[t]["last_minute"]["failed_per_s"], 1 / 60, places=6)
        single = self.api.call("GET", f"/stats/{t}")
        self.assertEqual(single["last_minute"], by_type[t]["last_minute"])

        # The dashboard's chart: the same attempts, second by second, oldest first.
        history = self.api.call("GET", "/throughput")
        self.assertEqual(history["window_s"], 900)
        seconds = history["seconds"]
        self.assertEqual([s[0] for s in seconds], sorted({s[0] for s in seconds}), seconds)
        now = int(time.time())
        for second, completed, failed in seconds:
            self.assertLessEqual(now - second, 900 + 5, seconds)
            self.assertGreater(completed + failed, 0, "only seconds with something in them")
        self.assertEqual(sum(s[1] for s in seconds), 3, seconds)
        self.assertEqual(sum(s[2] for s in seconds), 1, seconds)


if __name__ == "__main__":
    unittest.main()
