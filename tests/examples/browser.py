"""Debian's headless chromium, driven over the DevTools protocol with python3-websockets: just enough
to open a page, run JavaScript in it, and read what it shows."""

import asyncio
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import websockets

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
START_TIMEOUT_S = 30.0


class Browser:
    """One headless chromium with a temporary profile. page(): the DevTools socket URL of its tab."""

    def __init__(self):
        if not os.access(CHROMIUM, os.X_OK):
            raise AssertionError(f"chromium not found at {CHROMIUM} (scripts/install-deps installs it)")
        self.dir = Path(tempfile.mkdtemp(prefix="jobq-chromium-"))
        self.log = open(self.dir / "chromium.log", "w+")
        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
             f"--user-data-dir={self.dir / 'profile'}", "about:blank"],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)  # its own process group, so close() ends its helpers too
        self.port = self._devtools_port()

    def _devtools_port(self):
        port_file = self.dir / "profile" / "DevToolsActivePort"
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"chromium exited with {self.proc.returncode}\n{self.output()}")
            if port_file.exists():
                lines = port_file.read_text().split()
                if lines:
                    return int(lines[0])
            time.sleep(0.05)
        raise AssertionError(f"chromium did not open its DevTools port in {START_TIMEOUT_S} s\n{self.output()}")

    def output(self):
        self.log.seek(0)
        return self.log.read()[-4000:]

    def page(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/list", timeout=10) as r:
            targets = json.load(r)
        return next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")

    def close(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class Tab:
    """A DevTools session on one tab, for use inside a coroutine."""

    def __init__(self, socket):
        self.socket = socket
        self.ids = itertools.count(1)

    async def call(self, method, timeout=10.0, **params):
        call_id = next(self.ids)
        await self.socket.send(json.dumps({"id": call_id, "method": method, "params": params}))
        async def answer():
            while True:
                message = json.loads(await self.socket.recv())
                if message.get("id") == call_id:
                    if "error" in message:
                        raise AssertionError(f"{method}: {message['error']}")
                    return message["result"]
        return await asyncio.wait_for(answer(), timeout)

    async def evaluate(self, expression):
        """The value of a JavaScript expression in the page (awaited if it is a promise)."""
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")


def drive(browser, script):
    """Runs `async def script(tab)` on the browser's tab; -> what it returns."""
    async def main():
        async with websockets.connect(browser.page(), max_size=None, open_timeout=10) as socket:
            return await script(Tab(socket))
    return asyncio.run(main())
