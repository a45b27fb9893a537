"""`jobq limits ls|set|rm` and the limits in `jobq queues ls` against a real jobqd: their output,
--json, and the exit codes of what the server or the flags refuse."""

import json
import unittest

from jobq_cli import AUTH, USAGE, CliTestCase, unique


class Limits(CliTestCase):
    def test_set_ls_rm_a_queue_and_a_type(self):
        type_ = unique("t")
        self.assertEqual(self.ok("limits", "set", "queue", self.queue, "--max-running", "5", "--rate", "10/1m"),
                         f"queue {self.queue}: at most 5 running, 10 starts per 1m\n")
        self.assertEqual(self.ok("limits", "set", "type", type_, "--rate", "5/500ms"),
                         f"type {type_}: 5 starts per 500ms\n")
        self.assertEqual(self.api.call("GET", f"/types/{type_}/limits")["starts"], {"count": 5, "period_ms": 500})

        lines = self.ok("limits", "ls").splitlines()
        self.assertEqual(lines[0].split(), ["SCOPE", "NAME", "MAX_RUNNING", "STARTS"])
        rows = {tuple(l.split()[:2]): l.split()[2:] for l in lines[1:]}
        self.assertEqual(rows[("queue", self.queue)], ["5", "10/1m"])
        self.assertEqual(rows[("type", type_)], ["-", "5/500ms"])
        listed = json.loads(self.ok("limits", "ls", "--json"))["limits"]
        self.assertIn({"scope": "queue", "name": self.queue, "max_running": 5,
                       "starts": {"count": 10, "period_ms": 60000}}, listed)

        # The queue's cap and rate in its row of queues ls, and in its JSON.
        row = next(l for l in self.ok("queues", "ls").splitlines() if l.startswith(self.queue + " "))
        self.assertEqual(row.split()[1:], ["running", "0", "0", "0", "0", "0", "0", "0", "5", "10/1m"])
        queues = {q["name"]: q for q in json.loads(self.ok("queues", "ls", "--json"))["queues"]}
        self.assertEqual(queues[self.queue]["limits"]["max_running"], 5)

        # set replaces the whole setting: what it is not given is removed.
        out = json.loads(self.ok("limits", "set", "queue", self.queue, "--max-running", "2", "--json"))
        self.assertEqual(out, {"scope": "queue", "name": self.queue, "max_running": 2, "starts": None})

        self.assertEqual(self.ok("limits", "rm", "queue", self.queue), f"queue {self.queue}: no limits\n")
        self.assertEqual(json.loads(self.ok("limits", "rm", "type", type_, "--json"))["starts"], None)
        names = [s["name"] for s in json.loads(self.ok("limits", "ls", "--json"))["limits"]]
        self.assertNotIn(self.queue, names)
        self.assertNotIn(type_, names)

    def test_a_cap_holds_back_the_jobs_beyond_it(self):
        self.ok("limits", "set", "queue", self.queue, "--max-running", "1")
        for _ in range(2):
            self.api.submit(type="s", queue=self.queue)
        self.assertEqual(len(self.api.lease("w", queues=[self.queue], max_jobs=2)), 1)
        self.ok("limits", "rm", "queue", self.queue)

    def test_refusals_are_usage_errors_naming_the_field_or_flag(self):
        err = self.fails(USAGE, "limits", "set", "queue", self.queue, "--max-running", "-1")
        self.assertIn(f"jobq: limits set queue {self.queue}: 400 invalid_argument (max_running)", err)
        err = self.fails(USAGE, "limits", "set", "queue", self.queue, "--rate", "0/1s")
        self.assertIn("(starts.count)", err)
        self.assertIn("(starts.period_ms)", self.fails(USAGE, "limits", "set", "queue", self.queue, "--rate", "5/0s"))
        for rate in ("10", "ten/1s", "10/soon", "/1s"):
            with self.subTest(rate=rate):
                self.assertIn("jobq: --rate: ", self.fails(USAGE, "limits", "set", "type", "t", "--rate", rate))
        self.assertIn("--max-running", self.fails(USAGE, "limits", "set", "queue", self.queue))
        self.assertIn("(queue)", self.fails(USAGE, "limits", "set", "queue", "a b", "--max-running", "1"))
        self.fails(USAGE, "limits", "set", "job", "x", "--max-running", "1")
        self.fails(USAGE, "limits", "rm", "queue")
        self.fails(USAGE, "limits")
        self.assertNotIn(self.queue, [s["name"] for s in json.loads(self.ok("limits", "ls", "--json"))["limits"]])


class LimitsNeedAnOperator(CliTestCase):
    server_args = ("--api-keys", "adm:admin,view:viewer")
    server_key = "adm"

    def test_a_viewer_may_list_but_not_set(self):
        self.assertEqual(self.ok("limits", "ls", key="view").split(), ["SCOPE", "NAME", "MAX_RUNNING", "STARTS"])
        self.assertIn("403 forbidden", self.fails(AUTH, "limits", "set", "queue", self.queue, "--max-running", "1",
                                                  key="view"))
        self.assertIn("403 forbidden", self.fails(AUTH, "limits", "rm", "type", "t", key="view"))


if __name__ == "__main__":
    unittest.main()
