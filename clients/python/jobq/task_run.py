"""How a task runs for one job, on a worker or in eager mode: its payload decoded into arguments
(checked against the signature, converted by the parameters' annotations), the hooks around the
call, retry_on applied, and the result made JSON."""

import asyncio
import inspect
from typing import Any, Callable, Dict, List, Tuple

from .codec import NotJsonable, from_json, to_json
from .errors import JobCancelled, PermanentFailure, Retry
from .hooks import Hooks, run_before, run_quietly
from .job_context import JobContext

NOT_COUNTED = (Retry, JobCancelled)  # neither a failure for on_failure nor subject to retry_on


def arguments(task: Any, payload: Any) -> Tuple[List[Any], Dict[str, Any]]:
    """The call's (args, kwargs) from a task's payload; PermanentFailure when they can never fit."""
    if payload is None:
        payload = {}
    if not isinstance(payload, dict) or set(payload) - {"args", "kwargs"} \
            or not isinstance(payload.get("args", []), list) or not isinstance(payload.get("kwargs", {}), dict):
        raise PermanentFailure(f"task {task.name}: the payload must be {{\"args\": [...], \"kwargs\": {{...}}}}, "
                               f"got {str(payload)[:200]}")
    try:
        bound = task.signature.bind(*payload.get("args", []), **payload.get("kwargs", {}))
        for name, value in bound.arguments.items():
            kind = task.signature.parameters[name].kind
            hint = task.hints.get(name)
            if kind is inspect.Parameter.VAR_POSITIONAL:
                bound.arguments[name] = tuple(from_json(v, hint, f"{name}[{i}]") for i, v in enumerate(value))
            elif kind is inspect.Parameter.VAR_KEYWORD:
                bound.arguments[name] = {k: from_json(v, hint, k) for k, v in value.items()}
            else:
                bound.arguments[name] = from_json(value, hint, name)
    except (TypeError, ValueError) as e:
        raise PermanentFailure(f"{task.name}(): {e}") from None
    return list(bound.args), dict(bound.kwargs)


def handler_for(task: Any, app_hooks: Hooks) -> Callable[[JobContext], Any]:
    """The worker's handler of a task: a plain function, or a coroutine function for an async task."""
    chain = (app_hooks, task.hooks)
    if task.is_async:
        async def run_async(job: JobContext) -> Any:
            call = _prepare(task, chain, job)
            try:
                result = await call()
            except BaseException as e:
                _failed(task, chain, job, e)
                raise
            return _succeeded(task, chain, job, result)

        return run_async

    def run(job: JobContext) -> Any:
        call = _prepare(task, chain, job)
        try:
            result = call()
        except BaseException as e:
            _failed(task, chain, job, e)
            raise
        return _succeeded(task, chain, job, result)

    return run


def _prepare(task: Any, chain: Tuple[Hooks, ...], job: JobContext) -> Callable[[], Any]:
    try:
        args, kwargs = arguments(task, job.payload)
        if task.takes_context:
            args.insert(0, job)
        run_before(chain, job)
    except BaseException as e:
        _failed(task, chain, job, e)
        raise
    return lambda: task.fn(*args, **kwargs)


def _failed(task: Any, chain: Tuple[Hooks, ...], job: JobContext, error: BaseException) -> None:
    """Tells the hooks; raises the exception the worker should see instead, if it is another one. With
    retry_on, an exception not listed fails the job for good; one listed is retried (with the
    backoff) like any failure."""
    if isinstance(error, asyncio.CancelledError) or not isinstance(error, Exception):
        run_quietly(chain, "after", job)
        return
    if not isinstance(error, NOT_COUNTED):
        run_quietly(chain, "on_failure", job, error)
    run_quietly(chain, "after", job)
    if task.retry_on and not isinstance(error, NOT_COUNTED + (PermanentFailure,)) \
            and not isinstance(error, task.retry_on):
        raise PermanentFailure(f"{type(error).__name__}: {error} (not in retry_on)") from error


def _succeeded(task: Any, chain: Tuple[Hooks, ...], job: JobContext, result: Any) -> Any:
    try:
        value = to_json(result, "result")
    except NotJsonable as e:
        failure = PermanentFailure(f"the result of {task.name} is not JSON: {e}")
        run_quietly(chain, "on_failure", job, failure)
        run_quietly(chain, "after", job)
        raise failure from None
    run_quietly(chain, "on_success", job, result)
    run_quietly(chain, "after", job)
    return value
