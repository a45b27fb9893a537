"""What the worker's own threads (keeper.py, reporter.py) have in common: a daemon thread running
_run(), the condition it waits on, and the flag stop() raises before it waits for the thread to end."""

from __future__ import annotations

import threading


class BackgroundThread:
    def __init__(self, name: str) -> None:
        self._cond = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def _run(self) -> None:
        raise NotImplementedError

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Raises the flag, wakes _run(), and returns once it has returned."""
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        self._thread.join()
