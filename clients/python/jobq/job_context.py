"""What a handler gets: the job, a throttled progress reporter, and the cancel and soft-timeout news."""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, Dict, List, Optional

from .errors import JobCancelled

# At most one progress update every this many seconds reaches the server (the last always does).
PROGRESS_INTERVAL_S = 0.5


class JobContext:
    """One leased job, as its handler sees it.

    id, type, queue, payload, attempt, max_attempts: the job's; job: the whole leased Job.
    progress(): report progress (never blocks on the network; throttled to 2 a second, the last
    report always sent before the job's outcome). cancelled / raise_if_cancelled() / wait_cancelled():
    whether the job's cancel was asked for (learnt at the next heartbeat or progress report), or the
    worker is shutting down and gave the job back. soft_timeout_passed / soft_timeout: the job ran
    past its soft_timeout_ms, a notice to wrap up before the hard timeout.
    """

    def __init__(self, job: Dict[str, Any], interval: float = PROGRESS_INTERVAL_S) -> None:
        self.job = job
        self.id: str = job["id"]
        self.type: Optional[str] = job.get("type")
        self.queue: Optional[str] = job.get("queue")
        self.payload: Any = job.get("payload")
        self.attempt: Optional[int] = job.get("attempt")
        self.max_attempts: Optional[int] = job.get("max_attempts")
        self.lease_token: str = job["lease_token"]
        self.cancel_event = threading.Event()
        self.soft_timeout = threading.Event()
        self.cancel_requested = False  # the server said so (as opposed to a shutdown or a lost lease)
        self.lease_lost = False
        self.handed_back = False
        self.started = time.monotonic()
        self.send_lock = threading.Lock()  # one report of this job on the wire at a time, in order
        self._lock = threading.Lock()
        self._interval = interval
        self._pending: Dict[str, Any] = {}
        self._last_sent: Optional[float] = None
        self._done = False
        self._outcome_claimed = False
        self._on_cancel: List[Callable[[], None]] = []
        self._wake: Optional[Callable[[], None]] = None  # set by the keeper: called when a report is pending

    # For the handler.

    def progress(self, progress: Optional[float] = None, message: Optional[str] = None, *,
                 stage: Optional[str] = None, processed_items: Optional[int] = None,
                 total_items: Optional[int] = None) -> None:
        """Reports progress (0..100; ValueError outside), a message, a stage name, item counts; any
        of them. Returns at
        once; the update is sent now if none went out in the last 0.5 s, else at the end of that
        window, merged with any later ones (the newest value of each field wins)."""
        if progress is not None and not 0 <= progress <= 100:
            raise ValueError(f"progress must be between 0 and 100, got {progress!r}")
        fields = {"progress": progress, "progress_message": message, "stage": stage,
                  "processed_items": processed_items, "total_items": total_items}
        with self._lock:
            if self._done:
                return
            self._pending.update({k: v for k, v in fields.items() if v is not None})
            wake = self._wake
        if wake is not None:
            wake()

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    def raise_if_cancelled(self) -> None:
        """Raises JobCancelled if the job should stop (cancel asked for, shutdown, lease lost)."""
        if self.cancel_event.is_set():
            raise JobCancelled(self._stop_reason())

    def wait_cancelled(self, timeout: Optional[float] = None) -> bool:
        """Sleeps up to timeout seconds, waking at once on a cancel; -> whether the job should stop."""
        return self.cancel_event.wait(timeout)

    @property
    def soft_timeout_passed(self) -> bool:
        return self.soft_timeout.is_set()

    # For the worker.

    def _stop_reason(self) -> str:
        if self.cancel_requested:
            return "cancelled by request"
        if self.handed_back:
            return "the worker shut down"
        return "the lease was lost"

    def add_cancel_callback(self, fn: Callable[[], None]) -> None:
        with self._lock:
            self._on_cancel.append(fn)
            fire = self.cancel_event.is_set()
        if fire:
            fn()

    def stop(self) -> None:
        """The job should stop: sets the cancel event and runs the cancel callbacks once."""
        with self._lock:
            if self.cancel_event.is_set():
                return
            self.cancel_event.set()
            callbacks = list(self._on_cancel)
        for fn in callbacks:
            fn()

    def take_report(self, now: float, final: bool = False) -> Optional[Dict[str, Any]]:
        """The pending progress fields if they may be sent now (always when final), else None."""
        with self._lock:
            if not self._pending or self._done:
                return None
            if not final and self._last_sent is not None and now < self._last_sent + self._interval:
                return None
            fields, self._pending = self._pending, {}
            self._last_sent = now
            return fields

    def report_due_at(self) -> Optional[float]:
        """When the pending report may go out (monotonic), or None if none is pending."""
        with self._lock:
            if not self._pending or self._done:
                return None
            return self._last_sent + self._interval if self._last_sent is not None else 0.0

    def mark_done(self) -> None:
        with self._lock:
            self._done = True

    @property
    def done(self) -> bool:
        with self._lock:
            return self._done

    def claim_outcome(self) -> bool:
        """True for the first caller only: the job's outcome (or its hand-back) is sent once."""
        with self._lock:
            if self._outcome_claimed:
                return False
            self._outcome_claimed = True
            return True

