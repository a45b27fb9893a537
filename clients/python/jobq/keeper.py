"""The worker's own thread that talks for running jobs: heartbeats, progress reports, the soft-timeout
probe, and the worker's beats. Handlers never wait on the network for these. The reports due at one
time go together in one POST /heartbeats."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

from .background import BackgroundThread
from .errors import Conflict, JobqError, NotFound
from .job_context import JobContext

if TYPE_CHECKING:
    from .client import Client
    from .worker import Worker

Plan = Dict[str, Any]  # {"beat_at": monotonic, "soft_at": monotonic or None}

log = logging.getLogger("jobq.worker")

SOFT_TIMEOUT_REPROBE_S = 1.0


class Keeper(BackgroundThread):
    """Runs in a thread of its own until stop(). worker: supplies beat_fields() and obey(reply)."""

    def __init__(self, client: Client, worker: Worker, heartbeat_s: float, beat_s: float) -> None:
        super().__init__("jobq-keeper")
        self.client = client
        self.worker = worker
        self.heartbeat_s = heartbeat_s
        self.beat_s = beat_s
        self._jobs: Dict[JobContext, Plan] = {}
        self._beat_at = 0.0

    def start(self) -> None:
        """Starts the thread; the first worker beat is the caller's (beat_now), the next is due later."""
        self._beat_at = time.monotonic() + self.beat_s
        super().start()

    def wake(self) -> None:
        with self._cond:
            self._cond.notify_all()

    def track(self, ctx: JobContext) -> None:
        now = time.monotonic()
        soft_ms = ctx.job.get("soft_timeout_ms") or 0
        with self._cond:
            self._jobs[ctx] = {"beat_at": now + self.heartbeat_s,
                               "soft_at": now + soft_ms / 1000 if soft_ms > 0 else None}
            ctx._wake = self.wake
            self._cond.notify_all()

    def untrack(self, ctx: JobContext) -> None:
        with self._cond:
            self._jobs.pop(ctx, None)

    def flush(self, ctx: JobContext) -> None:
        """Sends the job's pending progress now, from the caller's thread; then no more reports."""
        with ctx.send_lock:
            fields = ctx.take_report(time.monotonic(), final=True)
            if fields:
                self._send(ctx, fields)
            ctx.mark_done()

    def beat_now(self) -> Dict[str, Any]:
        """One worker beat from the caller's thread; -> the server's reply (raises on failure)."""
        reply = self.client.beat(self.worker.worker_id, **self.worker.beat_fields())
        self.worker.obey(reply)
        with self._cond:
            self._beat_at = time.monotonic() + self.beat_s
        return reply

    def _run(self) -> None:
        while True:
            with self._cond:
                if self._stopped:
                    return
                now = time.monotonic()
                due = [(ctx, plan) for ctx, plan in self._jobs.items() if self._next_at(ctx, plan) <= now]
                beat_due = now >= self._beat_at
                if not due and not beat_due:
                    wake_at = min([self._next_at(c, p) for c, p in self._jobs.items()] + [self._beat_at])
                    self._cond.wait(max(0.0, wake_at - now))
                    continue
            if due:
                try:
                    self._keep(due)
                except Exception:  # a bug here must not end every job's heartbeats
                    log.exception("heartbeats of %d jobs failed", len(due))
                    for _, plan in due:
                        plan["beat_at"] = time.monotonic() + self.heartbeat_s
            if beat_due:
                try:
                    self.beat_now()
                except Exception as e:
                    log.warning("worker beat failed: %s", e, exc_info=not isinstance(e, JobqError))
                    with self._cond:
                        self._beat_at = time.monotonic() + self.beat_s

    @staticmethod
    def _next_at(ctx: JobContext, plan: Plan) -> float:
        at: float = plan["beat_at"]
        report = ctx.report_due_at()
        if report is not None:
            at = min(at, report)
        if plan["soft_at"] is not None:
            at = min(at, plan["soft_at"])
        return at

    def _keep(self, due: List[Tuple[JobContext, Plan]]) -> None:
        """One call for every job due: its progress, or a bare heartbeat when its lease needs one.
        Each job's send_lock is held until the answer is in, so no report lands after its outcome."""
        held: List[JobContext] = []
        sent: List[Tuple[JobContext, Plan, Dict[str, Any], float]] = []
        try:
            for ctx, plan in due:
                ctx.send_lock.acquire()
                held.append(ctx)
                now = time.monotonic()
                if ctx.done:  # finished; untracked in a moment
                    plan["beat_at"], plan["soft_at"] = now + self.heartbeat_s, None
                    continue
                fields = ctx.take_report(now) or {}
                if not fields and now < plan["beat_at"] and (plan["soft_at"] is None or now < plan["soft_at"]):
                    continue
                sent.append((ctx, plan, fields, now))
            if len(sent) == 1:
                ctx, _, fields, _ = sent[0]
                self._send(ctx, fields)
            elif sent:
                self._send_many(sent)
            for ctx, plan, _, now in sent:
                plan["beat_at"] = time.monotonic() + self.heartbeat_s
                if plan["soft_at"] is not None and now >= plan["soft_at"]:
                    plan["soft_at"] = None if ctx.soft_timeout_passed else now + SOFT_TIMEOUT_REPROBE_S
        finally:
            for ctx in held:
                ctx.send_lock.release()

    def _send_many(self, sent: List[Tuple[JobContext, Plan, Dict[str, Any], float]]) -> None:
        try:
            results = self.client.heartbeats(
                [{"id": ctx.id, "lease_token": ctx.lease_token, **fields} for ctx, _, fields, _ in sent])
        except JobqError as e:
            log.warning("heartbeats of %d jobs failed, will try again: %s", len(sent), e)
            return
        by_id = {r.get("id"): r for r in results}
        for ctx, _, _, _ in sent:
            answer = by_id.get(ctx.id)
            if answer is None:
                log.error("job %s: the heartbeats answer has no entry for it", ctx.id)
            elif answer.get("ok"):
                self._heard(ctx, answer)
            elif (answer.get("error") or {}).get("code") in ("conflict", "not_found"):
                self._lost(ctx, answer["error"].get("message"))
            else:
                log.warning("job %s: heartbeat failed, will try again: %s", ctx.id, answer.get("error"))

    def _send(self, ctx: JobContext, fields: Dict[str, Any]) -> None:
        """A progress report (or a bare heartbeat), and what its answer says about the job."""
        try:
            if fields:
                reply = self.client.progress(ctx.id, ctx.lease_token, **fields)
            else:
                reply = self.client.heartbeat(ctx.id, ctx.lease_token)
        except (Conflict, NotFound) as e:
            self._lost(ctx, e)
            return
        except JobqError as e:
            log.warning("job %s: heartbeat failed, will try again: %s", ctx.id, e)
            return
        self._heard(ctx, reply)

    @staticmethod
    def _lost(ctx: JobContext, why: object) -> None:
        if not ctx.lease_lost:
            log.warning("job %s: lease lost (%s); its handler is asked to stop", ctx.id, why)
        ctx.lease_lost = True
        ctx.stop()

    @staticmethod
    def _heard(ctx: JobContext, reply: Dict[str, Any]) -> None:
        """What a heartbeat's answer says about the job: its soft timeout passed, its cancel asked."""
        if reply.get("soft_timeout_passed") and not ctx.soft_timeout.is_set():
            log.warning("job %s passed its soft timeout", ctx.id)
            ctx.soft_timeout.set()
        if reply.get("cancel_requested"):
            ctx.cancel_requested = True
            ctx.stop()
