"""A worker: leases jobs of the types it has handlers for, runs them on a pool of threads, and reports
their outcomes in batches."""

from __future__ import annotations

import collections
import logging
import os
import signal
import socket
import threading
import time
import uuid
from typing import Any, Callable, Deque, Dict, Iterable, List, Optional, Set, Tuple, TypeVar

from . import __version__
from .client import Client
from .errors import Forbidden, InvalidArgument, JobqError, Unauthorized
from .job_context import PROGRESS_INTERVAL_S, JobContext
from .keeper import Keeper
from .outcome import outcome_of
from .reporter import RETRY_PAUSE_S, Reporter
from .thread_pool import ThreadPool
from .job import Job

Handler = Callable[[JobContext], Any]
H = TypeVar("H", bound=Callable[..., Any])

log = logging.getLogger("jobq.worker")

HANDED_BACK = "the worker shut down before the job finished"
PREFETCH_ROUNDS = 4


class Worker:
    """Runs handlers for leased jobs, ``concurrency`` at a time, on a pool of threads, with up to
    ``prefetch`` more leased ahead so that a slot that frees up starts its next job at once.

        worker = Worker(concurrency=4)

        @worker.handler("generate_report")
        def generate_report(job):
            job.progress(50, "halfway")
            return {"url": "/r/42.pdf"}

        worker.run()  # until SIGTERM/SIGINT, or a stop command from the server

    A handler's return value (JSON) completes the job; an exception fails it with its traceback (and
    the job is retried while attempts are left; PermanentFailure fails it for good); JobCancelled
    (from job.raise_if_cancelled()) ends a job whose cancel was asked for. Outcomes go to the server
    from a thread of their own: those that finish while one call is on the wire go together in the
    next POST /ack, which also leases the jobs that refill the free slots; heartbeats of all running
    jobs go in one call too. A busy worker thus makes a small fraction of a call per job.

    client: a Client (default: one from url/api_key, else $JOBQ_URL/$JOBQ_API_KEY); queues: the
    queues served; lease_s: each lease's length, renewed by heartbeats every lease_s/3; poll_s: how
    long one lease request waits for a job; beat_s: how often the worker beats; grace_s: how long
    running jobs may take to finish after a shutdown begins, before they are handed back for retry;
    prefetch: jobs leased ahead of free slots (default: 4 x concurrency, as Celery's prefetch
    multiplier; 0 leases only for free slots). A prefetched job's lease and timeouts run from its
    lease, as they do on the server, so for long jobs with a timeout_ms ask for less; a shutdown
    hands prefetched jobs back at once.
    """

    def __init__(self, client: Optional[Client] = None, *, url: Optional[str] = None, api_key: Optional[str] = None,
                 queues: Iterable[str] = ("default",), concurrency: int = 4, worker_id: Optional[str] = None,
                 lease_s: float = 30.0, poll_s: float = 5.0, beat_s: float = 5.0, grace_s: float = 30.0,
                 progress_interval_s: float = PROGRESS_INTERVAL_S, prefetch: Optional[int] = None) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if prefetch is not None and prefetch < 0:
            raise ValueError("prefetch must be 0 or more")
        if lease_s < 1:
            raise ValueError("lease_s must be at least 1 (the server's minimum lease)")
        self.client = client or Client(url=url, api_key=api_key)
        self.queues = list(queues)
        self.concurrency = concurrency
        # Four rounds ahead: bigger /ack calls (each carries outcomes and the lease that refills
        # them), so fewer round trips and commits per job.
        self.prefetch = PREFETCH_ROUNDS * concurrency if prefetch is None else prefetch
        self.worker_id = worker_id or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.lease_ms = int(lease_s * 1000)
        self.poll_ms = int(poll_s * 1000)
        self.grace_s = grace_s
        self.progress_interval_s = progress_interval_s
        self.handlers: Dict[str, Handler] = {}
        self._keeper = Keeper(self.client, self, heartbeat_s=lease_s / 3, beat_s=beat_s)
        self._reporter = Reporter(self.client, leaser=self)
        self._pool = ThreadPool("jobq-job")
        self._cond = threading.Condition()
        self._running: Set[JobContext] = set()  # JobContexts whose handler has not returned
        self._waiting: Deque[JobContext] = collections.deque()  # leased ahead, not started yet
        self._asked = 0  # jobs asked for by leases on the wire
        self._stopping = False
        self._stop_at: Optional[float] = None
        self._force = False
        self._command = "run"
        self._started = False

    def handler(self, job_type: str) -> Callable[[H], H]:
        """Decorator: the function runs jobs of this type. It takes a JobContext."""

        def register(fn: H) -> H:
            self.handlers[job_type] = fn
            return fn

        return register

    # Control from other threads and from the server.

    def stop(self) -> None:
        """Begins a graceful shutdown: lease no more, let running jobs finish within grace_s, then
        hand back the rest. A second stop() ends the grace period at once."""
        with self._cond:
            if self._stopping:
                self._force = True
                if self._running:
                    log.warning("stopping now: jobs still running are handed back")
            else:
                self._stopping = True
                self._stop_at = time.monotonic()
                log.info("shutting down: no more leases; running jobs have %.0f s to finish", self.grace_s)
            self._cond.notify_all()

    def beat_fields(self) -> Dict[str, Any]:
        with self._cond:
            running = len(self._running)
        return {"types": sorted(self.handlers), "queues": self.queues, "concurrency": self.concurrency,
                "running": running, "host": socket.gethostname(), "pid": os.getpid(),
                "version": f"jobq-python/{__version__}"}

    def obey(self, reply: Dict[str, Any]) -> None:
        """Carries out a beat's answer: run, quiet (lease no more for now) or stop; and concurrency."""
        command = reply.get("command", "run")
        with self._cond:
            concurrency = reply.get("concurrency")
            if isinstance(concurrency, int) and concurrency >= 1 and concurrency != self.concurrency:
                log.info("concurrency %d -> %d, as the server says", self.concurrency, concurrency)
                self.concurrency = concurrency
            if command != self._command:
                log.info("server command: %s", command)
                self._command = command
            self._cond.notify_all()
        if command == "stop":
            with self._cond:
                already = self._stopping
            if not already:
                self.stop()

    # The main loop.

    def run(self, install_signal_handlers: bool = True) -> None:
        """Leases and runs jobs until stopped; returns when every job is finished or handed back.

        With install_signal_handlers (and in the main thread), SIGTERM and SIGINT begin a graceful
        shutdown, and a second one ends the grace period at once.
        """
        if not self.handlers:
            raise ValueError("no handlers: register one with @worker.handler(\"type\")")
        if self._started:
            raise RuntimeError("a Worker runs once; make a new one to run again")
        self._started = True
        restore = self._install_signals() if install_signal_handlers else {}
        self._keeper.start()
        self._reporter.start()
        try:
            try:
                self._first_beat()
                self._lease_loop()
            finally:
                # Also when leasing failed for good (a refused key): running jobs still get their grace.
                with self._cond:
                    if not self._stopping:
                        self._stopping, self._stop_at = True, time.monotonic()
                self._drain()
        finally:
            self._pool.close()
            self._reporter.stop()  # every outcome sent before the last beat says this worker is gone
            self._keeper.stop()
            for signum, previous in restore.items():
                signal.signal(signum, previous)
            self._last_beat()

    def _install_signals(self) -> Dict[int, Any]:
        if threading.current_thread() is not threading.main_thread():
            return {}
        restore: Dict[int, Any] = {}
        for signum in (signal.SIGTERM, signal.SIGINT):
            restore[signum] = signal.signal(signum, lambda *_: self.stop())
        return restore

    def _first_beat(self) -> None:
        try:
            self._keeper.beat_now()
        except (Unauthorized, Forbidden, InvalidArgument):
            raise
        except JobqError as e:
            log.warning("first beat failed, leasing anyway: %s", e)

    def _last_beat(self) -> None:
        try:
            self.client.beat(self.worker_id, **self.beat_fields())
        except JobqError as e:
            log.info("last beat failed: %s", e)

    def _lease_loop(self) -> None:
        """Leases when the reporter does not: while outcomes are being sent, each /ack leases the
        jobs that refill the slots; an idle worker long-polls here."""
        while True:
            with self._cond:
                if self._stopping:
                    return
                room = self._room()
                if room <= 0 or self._command != "run" or self._reporter.busy():
                    self._cond.wait(1.0)
                    continue
                self._asked += room
            try:
                jobs = self.client.lease(self.worker_id, **self._lease_fields(room), wait_ms=self.poll_ms)
            except (Unauthorized, Forbidden, InvalidArgument):
                self.leased([], room)
                raise
            except JobqError as e:
                self.leased([], room)
                log.warning("lease failed, trying again in %.0f s: %s", RETRY_PAUSE_S, e)
                with self._cond:
                    self._cond.wait_for(lambda: self._stopping, RETRY_PAUSE_S)
                continue
            self.leased(jobs, room)

    def _room(self) -> int:
        """Under the lock: how many more jobs to lease, counting those asked for already."""
        held = len(self._running) + len(self._waiting) + self._asked
        return self.concurrency + self.prefetch - held

    def _lease_fields(self, max_jobs: int) -> Dict[str, Any]:
        return {"queues": self.queues, "types": sorted(self.handlers), "max_jobs": max_jobs,
                "lease_ms": self.lease_ms}

    # What the reporter asks: the lease its next /ack carries, and what to do with its jobs.

    def lease_ask(self) -> Optional[Dict[str, Any]]:
        """-> the fields of a lease for the free slots (asked for now), or None."""
        with self._cond:
            room = self._room()
            if self._stopping or self._command != "run" or room <= 0:
                return None
            self._asked += room
        return {"worker_id": self.worker_id, **self._lease_fields(room)}

    def leased(self, jobs: List[Job], asked: int) -> None:
        """Takes the jobs a lease of `asked` brought (perhaps none): each starts, or waits for a slot."""
        contexts = [JobContext(job, interval=self.progress_interval_s) for job in jobs]
        for ctx in contexts:
            self._keeper.track(ctx)
        handed_back: List[JobContext] = []
        with self._cond:
            self._asked -= asked
            for ctx in contexts:
                if self._stopping:
                    handed_back.append(ctx)
                elif len(self._running) < self.concurrency:
                    self._running.add(ctx)
                    self._pool.submit(self._run_jobs, ctx)
                else:
                    self._waiting.append(ctx)
            self._cond.notify_all()
        for ctx in handed_back:
            self._give_back(ctx)

    def reporter_idle(self) -> None:
        with self._cond:
            self._cond.notify_all()

    def _drain(self) -> None:
        """After a stop: hand back the jobs leased ahead, wait for running jobs until the grace period
        ends, then hand back the rest."""
        with self._cond:
            ahead = list(self._waiting)
            self._waiting.clear()
        for ctx in ahead:
            self._give_back(ctx)
        with self._cond:
            deadline = (self._stop_at or time.monotonic()) + self.grace_s
            while self._running and not self._force:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            left_over = list(self._running)
        for ctx in left_over:
            self._hand_back(ctx, f"its handler did not finish within {self.grace_s:.0f} s")

    def _give_back(self, ctx: JobContext) -> None:
        """A job leased ahead that never started goes back to the queue, its attempt not counted."""
        ctx.claim_outcome()
        ctx.stop()
        self._keeper.untrack(ctx)
        with ctx.send_lock:
            ctx.mark_done()
        try:
            self.client.release(ctx.id, ctx.lease_token)
            log.info("job %s: given back unstarted", ctx.id)
        except JobqError as e:
            log.warning("job %s: could not be given back (%s); it is retried when its lease ends", ctx.id, e)

    def _hand_back(self, ctx: JobContext, why: str) -> None:
        if not ctx.claim_outcome():
            return  # its handler finished meanwhile and is sending the outcome
        ctx.handed_back = True
        ctx.stop()
        self._keeper.untrack(ctx)
        with ctx.send_lock:
            ctx.mark_done()
        log.warning("job %s: handed back for retry, %s", ctx.id, why)
        self._reporter.send(ctx, "fail", {"error": HANDED_BACK, "traceback": None, "retryable": True})

    # One job.

    def _call(self, fn: Handler, ctx: JobContext) -> Any:
        return fn(ctx)

    def _run_jobs(self, ctx: Optional[JobContext]) -> None:
        """A pool thread's turn: this job, then the ones waiting for a slot."""
        while ctx is not None:
            self._run_job(ctx)
            with self._cond:
                self._running.discard(ctx)
                ctx = None
                if self._waiting and not self._stopping and len(self._running) < self.concurrency:
                    ctx = self._waiting.popleft()
                    self._running.add(ctx)
                self._cond.notify_all()

    def _run_job(self, ctx: JobContext) -> None:
        try:
            kind, fields = self._execute(ctx)
            self._keeper.flush(ctx)
            self._keeper.untrack(ctx)
            if ctx.lease_lost:
                log.warning("job %s: not reported, its lease was lost", ctx.id)
            elif ctx.claim_outcome():
                self._reporter.send(ctx, kind, fields)
        except BaseException:
            log.exception("job %s: the worker failed to report it", ctx.id)

    def _execute(self, ctx: JobContext) -> Tuple[str, Dict[str, Any]]:
        """Runs the handler; -> ("complete", {result}) or ("fail", {error, traceback, retryable, ...})."""
        return outcome_of(lambda: self._call(self.handlers[str(ctx.type)], ctx))
