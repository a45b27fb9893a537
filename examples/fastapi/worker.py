"""The worker that makes the reports of app.py: `python3 worker.py` (JOBQ_URL, JOBQ_API_KEY).

REPORT_PAGE_SECONDS (default 0.5) is how long one page takes, to make the progress visible.
"""

import logging
import os
import time

import jobq

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
PAGE_SECONDS = float(os.environ.get("REPORT_PAGE_SECONDS", "0.5"))

worker = jobq.Worker(concurrency=2)


@worker.handler("generate_report")
def generate_report(job):
    user_id, pages = job.payload["user_id"], job.payload["pages"]
    job.progress(0, "collecting the data", stage="collecting")
    lines = []
    for page in range(1, pages + 1):
        job.raise_if_cancelled()
        time.sleep(PAGE_SECONDS)  # the slow part: rendering one page
        lines.append(f"page {page}: figures for user {user_id}")
        job.progress(100 * page / pages, f"page {page} of {pages}", stage="rendering",
                     processed_items=page, total_items=pages)
    return {"title": f"Report for user {user_id}", "pages": pages, "lines": lines}


if __name__ == "__main__":
    worker.run()
