"""A FastAPI app that hands report generation to jobq and shows its progress live.

    JOBQ_URL=http://127.0.0.1:8080 uvicorn app:app --port 8000            # the app
    JOBQ_URL=http://127.0.0.1:8080 python3 -m jobq worker tasks:app       # the worker that makes reports

POST /reports submits the generate_report task (tasks.py); GET /reports/{id} is its state; GET
/reports/{id}/events streams its changes as Server-Sent Events, which the page at / shows.

Every endpoint is async def and awaits jobq's AsyncClient (tasks.app.async_client): a submit, a
get or an open event stream waits on the event loop without holding it or a thread, so a page
watching its report costs the app one coroutine, not one thread of its pool.
"""

import json
from pathlib import Path
from typing import Any, AsyncIterator, Dict

from fastapi import FastAPI, HTTPException
from fastapi.responses import HTMLResponse, StreamingResponse
from pydantic import BaseModel, Field

import jobq
import tasks

app = FastAPI(title="Reports, made by jobq workers")
jobs = tasks.app.async_client  # the server and key from JOBQ_URL and JOBQ_API_KEY; connects when first used
PAGE = (Path(__file__).parent / "index.html").read_text()


class ReportRequest(BaseModel):
    user_id: int = Field(ge=1)
    pages: int = Field(default=5, ge=1, le=100)


def report_view(job: jobq.Job) -> Dict[str, Any]:
    """What the browser needs of a job, and nothing of the worker's (no lease token)."""
    return {"id": job.id, "status": job.status, "progress": job.progress or 0, "stage": job.stage,
            "message": job.progress_message, "result": job.result,
            "error": job.error.message if job.error else None}


@app.on_event("shutdown")
async def close_connections() -> None:
    await tasks.app.aclose()


@app.get("/", response_class=HTMLResponse)
async def page() -> str:
    return PAGE


@app.post("/reports", status_code=202)
async def create_report(request: ReportRequest) -> Dict[str, Any]:
    report = await tasks.generate_report.asubmit(request.user_id, pages=request.pages, _user_id=request.user_id)
    return {**report_view(report.job), "events": f"/reports/{report.id}/events"}


@app.get("/reports/{report_id}")
async def get_report(report_id: str) -> Dict[str, Any]:
    try:
        return report_view(await jobs.get(report_id))
    except jobq.NotFound:
        raise HTTPException(status_code=404, detail="no such report") from None


@app.get("/reports/{report_id}/events")
async def report_events(report_id: str) -> StreamingResponse:
    try:
        changes = await jobs.watch(report_id)  # open before answering: an unknown id is a 404 here
    except jobq.NotFound:
        raise HTTPException(status_code=404, detail="no such report") from None

    async def stream() -> AsyncIterator[str]:
        async with changes:  # also when the browser goes away: the app hangs up on jobqd too
            async for event, job in changes:
                yield f"event: {event}\ndata: {json.dumps(report_view(job))}\n\n"

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache"})
