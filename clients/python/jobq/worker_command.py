"""The worker command: ``python3 -m jobq worker package.module:app`` (or ``jobq-worker
package.module:app``) imports the module, takes its jobq.App, and runs a worker for every task and
handler of it until SIGTERM or SIGINT (a second one ends the grace period), or the server's stop."""

import argparse
import importlib
import logging
import os
import sys
from typing import List, Optional

from .app import App


def parser(prog: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=prog, description="Runs the tasks of a jobq.App as a worker.")
    p.add_argument("app", help="MODULE:ATTRIBUTE of the jobq.App (ATTRIBUTE defaults to app)")
    p.add_argument("--concurrency", "-c", type=int, default=4, help="jobs run at once (default 4)")
    p.add_argument("--queues", "-Q", default=None,
                   help="comma-separated queues to serve (default: the queues of the app's tasks)")
    p.add_argument("--prefetch", type=int, default=None, help="jobs leased ahead (default: 4 x concurrency)")
    p.add_argument("--grace", type=float, default=30.0,
                   help="seconds running jobs get to finish after SIGTERM (default 30)")
    p.add_argument("--poll", type=float, default=5.0, help="seconds one lease request waits (default 5)")
    p.add_argument("--beat", type=float, default=5.0, help="seconds between the worker's beats (default 5)")
    p.add_argument("--worker-id", default=None, help="the worker's id (default: host-pid-random)")
    p.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING... (default INFO)")
    return p


def load_app(spec: str) -> App:
    """The App named by MODULE:ATTRIBUTE, the current directory first on the import path."""
    module_name, _, attribute = spec.partition(":")
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    module = importlib.import_module(module_name)
    try:
        app = getattr(module, attribute or "app")
    except AttributeError:
        raise SystemExit(f"jobq worker: module {module_name} has no attribute {attribute or 'app'!r}") from None
    if not isinstance(app, App):
        raise SystemExit(f"jobq worker: {spec} is a {type(app).__name__}, not a jobq.App")
    return app


def main(argv: Optional[List[str]] = None, prog: str = "jobq-worker") -> int:
    args = parser(prog).parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = load_app(args.app)
    queues = [q for q in args.queues.split(",") if q] if args.queues else None
    worker = app.worker(queues=queues, concurrency=args.concurrency, prefetch=args.prefetch, grace_s=args.grace,
                        poll_s=args.poll, beat_s=args.beat, worker_id=args.worker_id)
    logging.getLogger("jobq.worker").info(
        "worker %s: %d tasks on queues %s, concurrency %d", worker.worker_id, len(worker.handlers),
        ",".join(worker.queues), worker.concurrency)
    worker.run()
    logging.getLogger("jobq.worker").info("worker %s stopped", worker.worker_id)
    return 0
