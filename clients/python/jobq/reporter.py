"""The worker's thread that sends finished jobs' outcomes. Outcomes that finish while a call is on the
wire wait and go together in the next POST /ack, so a busy worker makes far fewer than one call per
job; an idle one sends each outcome as soon as its job ends. Each /ack also leases the jobs that
refill the worker's free slots, so a busy worker needs no lease calls of its own."""

from __future__ import annotations

import collections
import logging
import time
from typing import TYPE_CHECKING, Any, Deque, Dict, List, Optional, Tuple

from .background import BackgroundThread
from .errors import ConnectionFailed, InvalidArgument, JobqError, PayloadTooLarge, Unavailable
from .job import Job
from .job_context import JobContext

if TYPE_CHECKING:
    from .client import Client
    from .worker import Worker

Outcome = Tuple[JobContext, str, Dict[str, Any]]  # (ctx, "complete" or "fail", fields)

log = logging.getLogger("jobq.worker")

OUTCOME_TRIES = 5
RETRY_PAUSE_S = 1.0
MAX_BATCH = 100  # outcomes in one /ack
REFUSED_RESULT = ("invalid_argument", "bad_request", "payload_too_large")


class Reporter(BackgroundThread):
    """send() queues an outcome, ("complete", {result}) or ("fail", {error, traceback, retryable});
    stop() returns once every queued outcome was sent (or given up on, and logged).

    leaser (the Worker) supplies lease_ask() -> the fields of a lease to carry, or None;
    leased(jobs, asked), which takes what it brought; and reporter_idle(), told when nothing is left
    to send."""

    def __init__(self, client: Client, leaser: Optional[Worker] = None) -> None:
        super().__init__("jobq-reporter")
        self.client = client
        self.leaser = leaser
        self._queue: Deque[Outcome] = collections.deque()
        self._sending = False
        self._unwritten: Dict[str, int] = {}  # job id -> times the store failed to write its outcome

    def send(self, ctx: JobContext, kind: str, fields: Dict[str, Any]) -> None:
        with self._cond:
            self._queue.append((ctx, kind, fields))
            self._cond.notify_all()

    def busy(self) -> bool:
        """Outcomes are waiting or on the wire (and their /ack will lease)."""
        with self._cond:
            return self._sending or bool(self._queue)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._stopped:
                    self._cond.wait()
                if not self._queue:
                    return
                batch = [self._queue.popleft() for _ in range(min(MAX_BATCH, len(self._queue)))]
                self._sending = True
            try:
                self._send_batch(batch)
            except Exception:  # a bug here must not end every later job's report
                log.exception("reporting %d outcomes failed", len(batch))
            with self._cond:
                self._sending = False
                idle = not self._queue
            if idle and self.leaser is not None:
                self.leaser.reporter_idle()

    def _send_batch(self, batch: List[Outcome]) -> None:
        """One /ack for the batch, tried again while the server is out of reach."""
        complete = [(ctx, f) for ctx, kind, f in batch if kind == "complete"]
        fail = [(ctx, f) for ctx, kind, f in batch if kind != "complete"]
        body_complete = [{"id": ctx.id, "lease_token": ctx.lease_token, "result": f["result"]} for ctx, f in complete]
        body_fail = [_fail_entry(ctx, f) for ctx, f in fail]
        for attempt in range(1, OUTCOME_TRIES + 1):
            try:
                results = self._ack(body_complete, body_fail, lease=attempt == 1)
                break
            except (ConnectionFailed, Unavailable) as e:
                if attempt == OUTCOME_TRIES:
                    for ctx, kind, _ in batch:
                        log.error("job %s: %s not sent after %d tries: %s", ctx.id, kind, attempt, e)
                    return
                log.warning("%d outcomes not sent, trying again: %s", len(batch), e)
                time.sleep(RETRY_PAUSE_S * attempt)
            except (InvalidArgument, PayloadTooLarge) as e:
                if len(batch) == 1:
                    results = [{"id": batch[0][0].id, "ok": False, "error": {"code": e.code, "message": str(e)}}]
                    break
                # One outcome spoils the whole body (a result over the size cap): send each alone.
                for item in batch:
                    self._send_batch([item])
                return
            except JobqError as e:
                for ctx, kind, _ in batch:
                    log.error("job %s: %s was refused: %s", ctx.id, kind, e)
                return
        # The answer lists completions first, then failures, each in the order sent.
        sent = [(c, "complete") for c, _ in complete] + [(c, "fail") for c, _ in fail]
        if len(results) != len(sent):
            log.error("the /ack answer has %d results for %d outcomes; those without one are not known to be "
                      "written: %s", len(results), len(sent), ", ".join(ctx.id for ctx, _ in sent[len(results):]))
        unwritten: List[Tuple[JobContext, str]] = []
        by_ctx = {id(c): f for c, _, f in batch}

        def fields_of(ctx: JobContext) -> Dict[str, Any]:
            return by_ctx[id(ctx)]

        for (ctx, kind), answer in zip(sent, results):
            if answer.get("ok"):
                if self._unwritten:
                    self._unwritten.pop(ctx.id, None)
                continue
            error = answer.get("error") or {}
            if error.get("code") == "unavailable" and self._unwritten.get(ctx.id, 0) < OUTCOME_TRIES:
                # The store failed to write it (an /ack that also leased answers so per entry).
                self._unwritten[ctx.id] = self._unwritten.get(ctx.id, 0) + 1
                log.warning("job %s: %s not written, sending it again: %s", ctx.id, kind, error.get("message"))
                unwritten.append((ctx, kind))
            elif kind == "fail" and error.get("code") in REFUSED_RESULT and _retry_fields(fields_of(ctx)):
                # The retry's fields were refused (a delay past the server's limit, or a jobqd older than
                # retry_in_ms / count_attempt): fail as a plain failure, retried with the backoff.
                log.warning("job %s: the server refused the retry's timing (%s); it is retried with its "
                            "backoff", ctx.id, error.get("message"))
                self.send(ctx, "fail", _without_retry_fields(fields_of(ctx)))
            elif kind == "complete" and error.get("code") in REFUSED_RESULT:
                # The result itself was refused (too large, say): the job fails for good, rather than
                # stay running until its lease runs out.
                self.send(ctx, "fail", {"error": f"the server refused the result: {error.get('message')}",
                                        "traceback": None, "retryable": False})
            else:
                # conflict: the job was decided elsewhere, e.g. its lease ran out.
                log.error("job %s: %s was refused: %s (%s)", ctx.id, kind, error.get("message"), error.get("code"))
        if unwritten:
            time.sleep(RETRY_PAUSE_S)  # once for the batch: the store was failing just now
            for ctx, kind in unwritten:
                self.send(ctx, kind, fields_of(ctx))

    def _ack(self, complete: List[Dict[str, Any]], fail: List[Dict[str, Any]],
             lease: bool) -> List[Dict[str, Any]]:
        """One /ack; on the first try it also leases for the worker's free slots."""
        leaser = self.leaser
        ask = leaser.lease_ask() if lease and leaser is not None else None
        if ask is None or leaser is None:
            return self.client.ack(complete=complete, fail=fail, ids_only=True)
        jobs: List[Job] = []
        try:
            results, jobs, lease_error = self.client.ack_and_lease(complete=complete, fail=fail, **ask)
            if lease_error:
                log.warning("the lease sent with outcomes failed: %s (%s)", lease_error.get("message"),
                            lease_error.get("code"))
            return results
        finally:
            leaser.leased(jobs, ask["max_jobs"])


RETRY_FIELDS = ("retry_in_ms", "count_attempt")


def _retry_fields(fields: Dict[str, Any]) -> bool:
    return any(name in fields for name in RETRY_FIELDS)


def _without_retry_fields(fields: Dict[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in fields.items() if k not in RETRY_FIELDS}


def _fail_entry(ctx: JobContext, fields: Dict[str, Any]) -> Dict[str, Any]:
    entry = {"id": ctx.id, "lease_token": ctx.lease_token, "error": fields["error"],
             "retryable": fields["retryable"]}
    if fields.get("traceback"):
        entry["traceback"] = fields["traceback"]
    for name in RETRY_FIELDS:  # only from a Retry: a server without them refuses them
        if name in fields:
            entry[name] = fields[name]
    return entry
