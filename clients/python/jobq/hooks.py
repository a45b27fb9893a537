"""Hooks around a task's run, on the app (every task) or on one task: before(job), after(job),
on_success(job, result), on_failure(job, error). The app's run first, then the task's.

A before hook that raises fails the attempt as the task would; an exception in after, on_success
or on_failure is logged and changes nothing. on_failure sees every failed attempt (job.attempt and
job.max_attempts tell whether another follows), not a Retry or a cancel. Hooks are plain
functions, also around an async task (they run on its loop: keep them quick).
"""

import logging
from typing import Any, Callable, List, Optional, Sequence

log = logging.getLogger("jobq.worker")

Hook = Callable[..., Any]
NAMES = ("before", "after", "on_success", "on_failure")


class Hooks:
    def __init__(self, before: Optional[Hook] = None, after: Optional[Hook] = None,
                 on_success: Optional[Hook] = None, on_failure: Optional[Hook] = None) -> None:
        self.before: List[Hook] = [before] if before else []
        self.after: List[Hook] = [after] if after else []
        self.on_success: List[Hook] = [on_success] if on_success else []
        self.on_failure: List[Hook] = [on_failure] if on_failure else []


def run_before(chain: Sequence[Hooks], job: Any) -> None:
    for hooks in chain:
        for fn in hooks.before:
            fn(job)


def run_quietly(chain: Sequence[Hooks], name: str, *args: Any) -> None:
    for hooks in chain:
        for fn in getattr(hooks, name):
            try:
                fn(*args)
            except Exception:
                log.exception("the %s hook %s failed", name, getattr(fn, "__qualname__", fn))
