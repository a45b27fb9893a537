"""The worker's thread that sends finished jobs' outcomes. Outcomes that finish while a call is on the
wire wait and go together in the next POST /ack, so a busy worker makes far fewer than one call per
job; an idle one sends each outcome as soon as its job ends."""

import collections
import logging
import threading
import time

from .errors import ConnectionFailed, InvalidArgument, JobqError, PayloadTooLarge, Unavailable

log = logging.getLogger("jobq.worker")

OUTCOME_TRIES = 5
RETRY_PAUSE_S = 1.0
MAX_BATCH = 100  # outcomes in one /ack
REFUSED_RESULT = ("invalid_argument", "bad_request", "payload_too_large")


class Reporter:
    """send() queues an outcome, ("complete", {result}) or ("fail", {error, traceback, retryable});
    stop() returns once every queued outcome was sent (or given up on, and logged)."""

    def __init__(self, client):
        self.client = client
        self._cond = threading.Condition()
        self._queue = collections.deque()  # (ctx, kind, fields)
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="jobq-reporter", daemon=True)

    def start(self):
        self._thread.start()

    def stop(self):
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        self._thread.join()

    def send(self, ctx, kind, fields):
        with self._cond:
            self._queue.append((ctx, kind, fields))
            self._cond.notify_all()

    def _run(self):
        while True:
            with self._cond:
                while not self._queue and not self._stopped:
                    self._cond.wait()
                if not self._queue:
                    return
                batch = [self._queue.popleft() for _ in range(min(MAX_BATCH, len(self._queue)))]
            try:
                self._send_batch(batch)
            except Exception:  # a bug here must not end every later job's report
                log.exception("reporting %d outcomes failed", len(batch))

    def _send_batch(self, batch):
        """One /ack for the batch, tried again while the server is out of reach."""
        complete = [(ctx, f) for ctx, kind, f in batch if kind == "complete"]
        fail = [(ctx, f) for ctx, kind, f in batch if kind != "complete"]
        body_complete = [{"id": ctx.id, "lease_token": ctx.lease_token, "result": f["result"]} for ctx, f in complete]
        body_fail = [_fail_entry(ctx, f) for ctx, f in fail]
        for attempt in range(1, OUTCOME_TRIES + 1):
            try:
                results = self.client.ack(complete=body_complete, fail=body_fail)
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
        for (ctx, kind), answer in zip([(c, "complete") for c, _ in complete] + [(c, "fail") for c, _ in fail],
                                       results):
            if answer.get("ok"):
                continue
            error = answer.get("error") or {}
            if kind == "complete" and error.get("code") in REFUSED_RESULT:
                # The result itself was refused (too large, say): the job fails for good, rather than
                # stay running until its lease runs out.
                self.send(ctx, "fail", {"error": f"the server refused the result: {error.get('message')}",
                                        "traceback": None, "retryable": False})
            else:
                # conflict: the job was decided elsewhere, e.g. its lease ran out.
                log.error("job %s: %s was refused: %s (%s)", ctx.id, kind, error.get("message"), error.get("code"))


def _fail_entry(ctx, fields):
    entry = {"id": ctx.id, "lease_token": ctx.lease_token, "error": fields["error"],
             "retryable": fields["retryable"]}
    if fields.get("traceback"):
        entry["traceback"] = fields["traceback"]
    return entry
