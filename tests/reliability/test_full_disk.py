"""A full disk under the sqlite store: submits are refused 503 and nothing acknowledged is lost;
with room again, jobqd goes on. Needs root to mount a small tmpfs; skipped otherwise."""

import os
import subprocess
import tempfile
import unittest

from support import Server, unique, wait_until


def mount_tmpfs(size):
    if os.geteuid() != 0:
        raise unittest.SkipTest("a full disk needs root, to mount a small tmpfs")
    where = tempfile.mkdtemp(prefix="jobq-full-disk-")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", where],
                       capture_output=True, text=True)
    if r.returncode != 0:
        os.rmdir(where)
        raise unittest.SkipTest(f"cannot mount a tmpfs here: {r.stderr.strip()}")
    return where


def unmount(where):
    subprocess.run(["umount", "-l", where], check=False)
    os.rmdir(where)


class FullDisk(unittest.TestCase):
    def test_a_full_disk_refuses_writes_and_loses_nothing(self):
        where = mount_tmpfs("1m")
        self.addCleanup(unmount, where)
        server = Server(store="sqlite", start=False)
        server.store_url = f"sqlite://{where}/jobq.db"
        self.addCleanup(server.close)
        server.start()
        api = server.api()
        self.addCleanup(api.close)
        queue = unique()
        acked, refusal = [], None
        for _ in range(2000):  # 4 KB payloads: the 1 MiB disk fills within a few hundred
            status, body, _ = api.request("POST", "/jobs", {"type": "t", "queue": queue, "payload": "x" * 4000})
            if status != 201:
                refusal = (status, body)
                break
            acked.append(body["id"])
        self.assertIsNotNone(refusal, "the disk never filled")
        self.assertEqual(refusal[0], 503, refusal)
        self.assertEqual(refusal[1]["error"]["code"], "unavailable")
        self.assertTrue(server.running(), server.log_tail())
        wait_until(lambda: "-> 503" in server.log(), timeout=5, message="the store failure in the log")
        for job_id in acked:
            self.assertEqual(api.status_of(job_id), "queued")
        # Room again: the next submits are taken.
        subprocess.run(["mount", "-o", "remount,size=16m", where], check=True)
        def submitted():
            status, body, _ = api.request("POST", "/jobs", {"type": "t", "queue": queue})
            return body if status == 201 else None
        job = wait_until(submitted, timeout=10, message="a submit once there is room")
        server.restart()
        api = server.api()
        self.addCleanup(api.close)
        for job_id in acked + [job["id"]]:
            self.assertEqual(api.status_of(job_id), "queued")
        server.stop()


if __name__ == "__main__":
    unittest.main()
