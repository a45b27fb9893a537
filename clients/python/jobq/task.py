"""A task: a Python function that runs as a jobq job. @app.task makes one (app.py).

The function keeps its signature: calling it runs it here and now; ``.submit(...)`` checks the
arguments against the signature, turns them into the job's payload ``{"args": [...], "kwargs":
{...}}`` (codec.py) and submits the job, returning a TaskHandle. A worker (task_run.py) decodes the
payload back, guided by the parameters' annotations, and calls the function.
"""

from __future__ import annotations

import inspect
import sys
import typing
import uuid
from typing import TYPE_CHECKING, Any, Callable, Dict, Generic, Iterable, List, Mapping, Optional, Tuple, \
    Type, TypeVar, Union

from .codec import NotJsonable, to_json
from .hooks import Hooks
from .job_context import JobContext
from .task_options import SUBMIT_OPTIONS, job_fields, merged, split_submit_options

if sys.version_info >= (3, 10):
    from typing import ParamSpec
else:  # pragma: no cover - 3.9: the annotations below are strings, never evaluated
    ParamSpec = TypeVar

if TYPE_CHECKING:
    from .app import App
    from .handle import AsyncTaskHandle, TaskHandle

P = ParamSpec("P")
R = TypeVar("R")

Call = Union[Tuple[Any, ...], Tuple[Tuple[Any, ...], Mapping[str, Any]]]


class Task(Generic[P, R]):
    """A function registered as a job type. Attributes: name, fn, app, defaults (the job options of
    @app.task), signature (the parameters a submit must fit: the function's, without a leading job
    context), takes_context, is_async, hints (the parameters' annotations), retry_on, hooks."""

    def __init__(self, app: App, fn: Callable[..., Any], name: str, defaults: Mapping[str, Any],
                 retry_on: Tuple[Type[BaseException], ...] = (), hooks: Optional[Hooks] = None,
                 context: Optional[bool] = None) -> None:
        self.app = app
        self.fn = fn
        self.name = name
        self.defaults = dict(defaults)
        self.retry_on = tuple(retry_on)
        self.hooks = hooks or Hooks()
        self.is_async = inspect.iscoroutinefunction(fn)
        full = inspect.signature(fn)
        self.hints = _hints(fn)
        params = list(full.parameters.values())
        self.takes_context = _first_is_context(params, self.hints) if context is None else context
        if self.takes_context and not params:
            raise TypeError(f"task {name}: context=True, but {fn.__qualname__}() takes no parameter")
        self.signature = full.replace(parameters=params[1:]) if self.takes_context else full
        self.__doc__ = fn.__doc__
        self.__name__ = getattr(fn, "__name__", name)
        self.__qualname__ = getattr(fn, "__qualname__", name)
        self.__module__ = getattr(fn, "__module__", __name__)
        self.__wrapped__ = fn

    def __repr__(self) -> str:
        return f"<jobq task {self.name} of {self.__module__}.{self.__qualname__}>"

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        """Runs the function here and now (a coroutine for an async one), as a plain call would;
        a job context parameter gets a local context whose progress goes nowhere."""
        if self.takes_context:
            return self.fn(self.local_context({"args": list(args), "kwargs": kwargs}), *args, **kwargs)  # type: ignore[no-any-return]
        return self.fn(*args, **kwargs)  # type: ignore[no-any-return]

    def local_context(self, payload: Any, attempt: int = 1) -> JobContext:
        """A JobContext for a run outside a worker (a direct call, eager mode)."""
        return JobContext({"id": f"local-{uuid.uuid4()}", "type": self.name, "queue": self.defaults.get("queue"),
                           "payload": payload, "attempt": attempt,
                           "max_attempts": self.defaults.get("max_attempts"), "lease_token": ""})

    # Submitting.

    def spec(self, *args: Any, **kwargs: Any) -> Dict[str, Any]:
        """The POST /jobs body of this call: the arguments checked against the signature (TypeError as
        a call would raise it) and made JSON (NotJsonable naming the argument), the task's defaults
        and the call's ``_name=`` options (_delay, _priority, _queue, _user_id, _tags, ...)."""
        options = split_submit_options(kwargs)
        fields = job_fields(merged(self.defaults, options), SUBMIT_OPTIONS, f"{self.name}.submit()")
        return {"type": self.name, "payload": self.payload(args, kwargs), **fields}

    def payload(self, args: Tuple[Any, ...], kwargs: Mapping[str, Any]) -> Dict[str, Any]:
        try:
            bound = self.signature.bind(*args, **kwargs)
        except TypeError as e:
            raise TypeError(f"{self.name}(): {e}") from None
        try:
            for name, value in bound.arguments.items():
                kind = self.signature.parameters[name].kind
                if kind is inspect.Parameter.VAR_POSITIONAL:
                    bound.arguments[name] = tuple(to_json(v, f"{name}[{i}]") for i, v in enumerate(value))
                elif kind is inspect.Parameter.VAR_KEYWORD:
                    bound.arguments[name] = {k: to_json(v, k) for k, v in value.items()}
                else:
                    bound.arguments[name] = to_json(value, name)
        except NotJsonable as e:
            raise NotJsonable(f"{self.name}() argument {e.where}", None, e.reason) from None
        return {"args": list(bound.args), "kwargs": dict(bound.kwargs)}

    def submit(self, *args: Any, **kwargs: Any) -> TaskHandle[R]:
        """Checks the arguments, submits the job; -> its TaskHandle. Options: ``_delay`` (seconds),
        ``_run_at``, ``_priority``, ``_queue``, ``_user_id``, ``_tags``, ``_idempotency_key``,
        ``_depends_on`` (ids or handles), ``_max_attempts``, ``_timeout``, ``_soft_timeout``,
        ``_backoff``, ``_result_ttl`` (seconds), ``_callback_url``. In app.eager(), runs the task at once instead."""
        return self.app.submit_many([self.call(*args, **kwargs)])[0]

    async def asubmit(self, *args: Any, **kwargs: Any) -> AsyncTaskHandle[R]:
        """submit() for async code: the same checking and options, the job sent on the app's
        AsyncClient; -> its AsyncTaskHandle, whose calls are awaited. Eager mode applies as to submit()."""
        return (await self.app.asubmit_many([self.call(*args, **kwargs)]))[0]

    def call(self, *args: Any, **kwargs: Any) -> PreparedCall:
        """This call, checked and made JSON as submit() would, not sent: for app.submit_many()."""
        return PreparedCall(self, self.spec(*args, **kwargs))

    def submit_many(self, calls: Iterable[Call]) -> List[TaskHandle[R]]:
        """Submits many calls of this task in one request, all or none. calls: each a tuple of
        positional arguments, or (args tuple, kwargs dict)."""
        return self.app.submit_many([self.call(*a, **k) for a, k in map(_split_call, calls)])

    async def asubmit_many(self, calls: Iterable[Call]) -> List[AsyncTaskHandle[R]]:
        """submit_many() on the AsyncClient, awaited."""
        return await self.app.asubmit_many([self.call(*a, **k) for a, k in map(_split_call, calls)])


class PreparedCall:
    """A task call checked and made JSON, not submitted yet: ``task`` and ``spec`` (the POST /jobs body)."""

    __slots__ = ("task", "spec")

    def __init__(self, task: Task[Any, Any], spec: Dict[str, Any]) -> None:
        self.task = task
        self.spec = spec


def _split_call(call: Call) -> Tuple[Tuple[Any, ...], Dict[str, Any]]:
    if len(call) == 2 and isinstance(call[0], tuple) and isinstance(call[1], Mapping):
        return call[0], dict(call[1])
    return tuple(call), {}


def _hints(fn: Callable[..., Any]) -> Dict[str, Any]:
    try:
        return typing.get_type_hints(fn)
    except Exception:  # an annotation naming what is not importable here: the plain JSON values are given
        return {}


def _first_is_context(params: List[inspect.Parameter], hints: Mapping[str, Any]) -> bool:
    if not params or params[0].kind not in (inspect.Parameter.POSITIONAL_ONLY,
                                            inspect.Parameter.POSITIONAL_OR_KEYWORD):
        return False
    annotation = hints.get(params[0].name, params[0].annotation)
    if isinstance(annotation, str):
        return annotation.rsplit(".", 1)[-1] == "JobContext"
    return isinstance(annotation, type) and issubclass(annotation, JobContext)
