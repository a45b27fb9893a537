"""The jobq tasks of app.py: the app submits generate_report, the worker runs it.

    python3 -m jobq worker tasks:app        # from examples/fastapi, with JOBQ_URL (and JOBQ_API_KEY)

This module imports nothing of FastAPI, so the worker process does not load the web app.
REPORT_PAGE_SECONDS (default 0.5) is how long one page takes, to make the progress visible.
"""

import os
import time
from typing import Any, Dict

import jobq

app = jobq.App()  # the server and key from JOBQ_URL and JOBQ_API_KEY, once first used
PAGE_SECONDS = float(os.environ.get("REPORT_PAGE_SECONDS", "0.5"))


@app.task(max_attempts=3)
def generate_report(job: jobq.JobContext, user_id: int, pages: int = 5) -> Dict[str, Any]:
    job.progress(0, "collecting the data", stage="collecting")
    lines = []
    for page in range(1, pages + 1):
        job.raise_if_cancelled()
        time.sleep(PAGE_SECONDS)  # the slow part: rendering one page
        lines.append(f"page {page}: figures for user {user_id}")
        job.progress(100 * page / pages, f"page {page} of {pages}", stage="rendering",
                     processed_items=page, total_items=pages)
    return {"title": f"Report for user {user_id}", "pages": pages, "lines": lines}
