"""The jobq tasks of the Flask example: the web app (app.py) submits them, the worker runs them.

    python3 -m jobq worker tasks:app        # from examples/flask, with JOBQ_URL (and JOBQ_API_KEY)

This module imports nothing of Flask, so the worker process does not load the web app.
EXPORT_ROW_SECONDS (default 0.3) is how long one row takes, to make the progress visible.
"""

import datetime
import os
import time
from typing import Any, Dict

import jobq

app = jobq.App()  # the server and key from JOBQ_URL and JOBQ_API_KEY, once first used
ROW_SECONDS = float(os.environ.get("EXPORT_ROW_SECONDS", "0.3"))


@app.task(queue="exports", max_attempts=3, timeout=300)
def export_orders(job: jobq.JobContext, customer_id: int, since: datetime.date,
                  rows: int = 10) -> Dict[str, Any]:
    """A CSV of a customer's orders since a date (made up here: the slow part is the point)."""
    lines = ["order,date,amount"]
    for n in range(1, rows + 1):
        job.raise_if_cancelled()
        time.sleep(ROW_SECONDS)  # stands in for a slow query per row
        day = since + datetime.timedelta(days=n - 1)
        lines.append(f"{customer_id}-{n},{day.isoformat()},{10 * n + customer_id % 7}.00")
        job.progress(100 * n / rows, f"row {n} of {rows}", stage="exporting", processed_items=n, total_items=rows)
    # since and the time it was made go back as ISO strings: jobq's codec turns dates into JSON.
    return {"customer_id": customer_id, "since": since, "rows": rows, "csv": "\n".join(lines) + "\n",
            "made_at": datetime.datetime.now(datetime.timezone.utc)}
