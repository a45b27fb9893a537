"""The workers' calls of the API as data (see calls.py): lease, heartbeats, progress, outcomes, beats."""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

from .calls import ANSWER_SLACK_S, Call, ListFilter, field, job, jobs_of, names, seg
from .job import Job

AckAndLease = Tuple[List[Dict[str, Any]], List[Job], Optional[Dict[str, Any]]]


def lease_body(worker_id: str, queues: ListFilter, types: ListFilter, max_jobs: int,
               lease_ms: Optional[int], wait_ms: int) -> Dict[str, Any]:
    body: Dict[str, Any] = {"worker_id": worker_id, "max_jobs": max_jobs, "wait_ms": wait_ms}
    if queues is not None:
        body["queues"] = names(queues, "queues")
    if types is not None:
        body["types"] = names(types, "types")
    if lease_ms is not None:
        body["lease_ms"] = lease_ms
    return body


def lease(worker_id: str, queues: ListFilter, types: ListFilter, max_jobs: int,
          lease_ms: Optional[int], wait_ms: int) -> Call[List[Job]]:
    return Call("POST", "/lease", lease_body(worker_id, queues, types, max_jobs, lease_ms, wait_ms),
                timeout=wait_ms / 1000 + ANSWER_SLACK_S, decode=jobs_of)


def heartbeat(job_id: str, lease_token: str, progress: Mapping[str, Any],
              route: str = "heartbeat") -> Call[Dict[str, Any]]:
    return Call("POST", f"/jobs/{seg(job_id)}/{route}", {"lease_token": lease_token, **progress})


def complete(job_id: str, lease_token: str, result: Any) -> Call[Job]:
    return Call("POST", f"/jobs/{seg(job_id)}/complete", {"lease_token": lease_token, "result": result},
                decode=job)


def fail(job_id: str, lease_token: str, error: str, traceback: Optional[str], retryable: bool,
         retry_in_ms: Optional[int], count_attempt: Optional[bool]) -> Call[Job]:
    body: Dict[str, Any] = {"lease_token": lease_token, "error": error, "retryable": retryable}
    if traceback:
        body["traceback"] = traceback
    if retry_in_ms is not None:
        body["retry_in_ms"] = retry_in_ms
    if count_attempt is not None:
        body["count_attempt"] = count_attempt
    return Call("POST", f"/jobs/{seg(job_id)}/fail", body, decode=job)


def release(job_id: str, lease_token: str) -> Call[Job]:
    return Call("POST", f"/jobs/{seg(job_id)}/release", {"lease_token": lease_token}, decode=job)


def ack(complete: Iterable[Mapping[str, Any]], fail: Iterable[Mapping[str, Any]],
        ids_only: bool) -> Call[List[Dict[str, Any]]]:
    body: Dict[str, Any] = {"complete": list(complete), "fail": list(fail)}
    if ids_only:
        body["answer"] = "ids"
    return Call("POST", "/ack", body, decode=field("results"))


def _ack_and_lease_answer(answer: Any) -> AckAndLease:
    return answer["results"], [Job(j) for j in answer["jobs"]], answer.get("lease_error")


def ack_and_lease(worker_id: str, complete: Iterable[Mapping[str, Any]], fail: Iterable[Mapping[str, Any]],
                  queues: ListFilter, types: ListFilter, max_jobs: int,
                  lease_ms: Optional[int], wait_ms: int) -> Call[AckAndLease]:
    body = {"complete": list(complete), "fail": list(fail), "answer": "ids",
            "lease": lease_body(worker_id, queues, types, max_jobs, lease_ms, wait_ms)}
    return Call("POST", "/ack", body, timeout=wait_ms / 1000 + ANSWER_SLACK_S, decode=_ack_and_lease_answer)


def heartbeats(jobs: Iterable[Mapping[str, Any]]) -> Call[List[Dict[str, Any]]]:
    return Call("POST", "/heartbeats", {"jobs": list(jobs)}, decode=field("results"))


def beat(worker_id: str, fields: Mapping[str, Any]) -> Call[Dict[str, Any]]:
    return Call("POST", f"/workers/{seg(worker_id, 'worker_id')}/beat", dict(fields))
