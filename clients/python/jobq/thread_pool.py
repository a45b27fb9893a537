"""Threads that run the worker's jobs. An idle thread takes the next job and a new one starts only
when none is idle, so a busy worker reuses as many threads as it runs jobs at once instead of
starting a thread per job."""

from __future__ import annotations

import collections
import threading
from typing import Any, Callable, Deque, Tuple


class ThreadPool:
    def __init__(self, name: str) -> None:
        self._name = name
        self._cond = threading.Condition()
        self._tasks: Deque[Tuple[Callable[..., Any], Tuple[Any, ...]]] = collections.deque()
        self._idle = 0
        self._started = 0
        self._closed = False

    def submit(self, fn: Callable[..., Any], *args: Any) -> None:
        with self._cond:
            if self._closed:
                raise RuntimeError("the pool is closed")
            self._tasks.append((fn, args))
            if self._idle >= len(self._tasks):
                self._cond.notify()
                return
            self._started += 1
            name = f"{self._name}-{self._started}"
        threading.Thread(target=self._run, name=name, daemon=True).start()

    def close(self) -> None:
        """Idle threads end; busy ones end when their task returns. Tasks already queued still run."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._tasks and not self._closed:
                    self._idle += 1
                    self._cond.wait()
                    self._idle -= 1
                if not self._tasks:
                    return
                fn, args = self._tasks.popleft()
            fn(*args)
