"""A Flask app that hands CSV exports to a jobq worker and shows how far each one got.

    python3 -m flask --app app run --port 5000      # from examples/flask, with JOBQ_URL
    python3 -m jobq worker tasks:app                # the worker, in another terminal

POST /exports (a form, or JSON) submits an export_orders task; GET /exports/<id> is a page that
reloads itself until the export is done; GET /api/exports/<id> is the same state as JSON.
"""

import datetime
from typing import Any, Dict, Optional, Tuple

from flask import Flask, abort, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

import jobq
import tasks

app = Flask(__name__)
jobs = tasks.app.client  # the sync client: Flask views are plain functions, one request per thread


def export_view(job: jobq.Job) -> Dict[str, Any]:
    """What the browser needs of a job, and nothing of the worker's (no lease token)."""
    return {"id": job.id, "status": job.status, "progress": job.progress or 0, "stage": job.stage,
            "message": job.progress_message, "result": job.result,
            "error": job.error.message if job.error else None,
            "finished": job.status is not None and job.status.finished}


def order_from(data: Any) -> Tuple[int, datetime.date, int]:
    """(customer_id, since, rows) of a form or a JSON body; ValueError naming what is wrong."""
    try:
        customer_id = int(data["customer_id"])
    except (KeyError, TypeError, ValueError):
        raise ValueError("customer_id: a whole number is needed") from None
    try:
        since = datetime.date.fromisoformat(str(data.get("since") or "2026-01-01"))
    except ValueError:
        raise ValueError("since: a date (YYYY-MM-DD) is needed") from None
    try:
        rows = int(data.get("rows") or 10)
    except (TypeError, ValueError):
        raise ValueError("rows: a whole number is needed") from None
    if customer_id < 1 or not 1 <= rows <= 1000:
        raise ValueError("customer_id must be 1 or more, rows 1 to 1000")
    return customer_id, since, rows


def find(export_id: str) -> Optional[jobq.Job]:
    """The job, or None for an id the server does not know (or that is not a job id at all)."""
    try:
        return jobs.get(export_id)
    except (jobq.NotFound, jobq.InvalidArgument):
        return None


@app.get("/")
def index() -> ResponseReturnValue:
    return render_template("index.html")


@app.post("/exports")
def order_export() -> ResponseReturnValue:
    as_json = request.is_json
    try:
        customer_id, since, rows = order_from(request.get_json() if as_json else request.form)
    except ValueError as e:
        return (jsonify(error=str(e)), 400) if as_json else (render_template("index.html", error=str(e)), 400)
    handle = tasks.export_orders.submit(customer_id, since, rows=rows, _user_id=customer_id)
    if as_json:
        return jsonify(export_view(handle.job)), 202, {"Location": url_for("export_state", export_id=handle.id)}
    return redirect(url_for("export_page", export_id=handle.id), 303)


@app.get("/exports/<export_id>")
def export_page(export_id: str) -> ResponseReturnValue:
    job = find(export_id)
    if job is None:
        abort(404, "no such export")
    return render_template("export.html", export=export_view(job))


@app.get("/api/exports/<export_id>")
def export_state(export_id: str) -> ResponseReturnValue:
    job = find(export_id)
    if job is None:
        return jsonify(error="no such export"), 404
    return jsonify(export_view(job))
