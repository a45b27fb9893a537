"""An application's tasks: ``app = jobq.App()``, ``@app.task(...)``, submits, hooks, eager mode, and
the worker that runs them (``python3 -m jobq worker module:app``)."""

from __future__ import annotations

import contextlib
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple, Type, TypeVar, Union, cast, overload

from .async_client import AsyncClient
from .async_worker import AsyncWorker
from .client import Client
from .hooks import Hook, Hooks
from .handle import AsyncTaskHandle, TaskHandle
from .job_context import JobContext
from .task import PreparedCall, Task
from .task_options import TASK_DEFAULTS, job_fields
from .task_run import handler_for
from .worker import Worker

F = TypeVar("F", bound=Callable[..., Any])


class App:
    """Tasks of one application, and the client that submits them.

    url, api_key: the server (default $JOBQ_URL, $JOBQ_API_KEY), or client: a Client to use (and
    async_client: an AsyncClient, for asubmit). Each client is made when first needed, so that
    importing the app (or eager mode) opens nothing.
    """

    def __init__(self, url: Optional[str] = None, api_key: Optional[str] = None, *,
                 client: Optional[Client] = None, async_client: Optional[AsyncClient] = None) -> None:
        self._url = url
        self._api_key = api_key
        self._client = client
        self._async_client = async_client
        self.tasks: Dict[str, Task[Any, Any]] = {}
        self.handlers: Dict[str, Callable[[JobContext], Any]] = {}  # plain handlers of raw payloads
        self.hooks = Hooks()
        self._eager: Any = None

    @property
    def client(self) -> Client:
        if self._client is None:
            self._client = Client(self._url, self._api_key)
        return self._client

    @property
    def async_client(self) -> AsyncClient:
        """The AsyncClient of asubmit() and its handles: the app's server and key (a given Client's,
        if the app was made with one). Use it from one event loop at a time, as any AsyncClient."""
        if self._async_client is None:
            if self._client is not None and self._url is None:
                http = self._client._http
                self._async_client = AsyncClient(http.url, http.api_key, http.timeout)
            else:
                self._async_client = AsyncClient(self._url, self._api_key)
        return self._async_client

    def close(self) -> None:
        """Closes the sync client's connections (aclose() closes the async client's too)."""
        if self._client is not None:
            self._client.close()

    async def aclose(self) -> None:
        self.close()
        if self._async_client is not None:
            await self._async_client.close()

    # Registering.

    @overload
    def task(self, fn: Callable[..., Any]) -> Task[Any, Any]: ...

    @overload
    def task(self, fn: None = None, *, name: Optional[str] = None, queue: Optional[str] = None,
             priority: Union[int, str, None] = None, timeout: Optional[float] = None,
             soft_timeout: Optional[float] = None, max_attempts: Optional[int] = None,
             backoff: Optional[Dict[str, Any]] = None, result_ttl: Optional[float] = None,
             retry_on: Tuple[Type[BaseException], ...] = (),
             before: Optional[Hook] = None, after: Optional[Hook] = None, on_success: Optional[Hook] = None,
             on_failure: Optional[Hook] = None, context: Optional[bool] = None) -> Callable[[Callable[..., Any]], Task[Any, Any]]: ...

    def task(self, fn: Optional[Callable[..., Any]] = None, *, name: Optional[str] = None,
             queue: Optional[str] = None, priority: Union[int, str, None] = None,
             timeout: Optional[float] = None, soft_timeout: Optional[float] = None,
             max_attempts: Optional[int] = None, backoff: Optional[Dict[str, Any]] = None,
             result_ttl: Optional[float] = None,
             retry_on: Tuple[Type[BaseException], ...] = (), before: Optional[Hook] = None,
             after: Optional[Hook] = None, on_success: Optional[Hook] = None,
             on_failure: Optional[Hook] = None, context: Optional[bool] = None) -> Any:
        """Decorator: the function becomes a task, a job type named ``name`` (default: the function's
        name). queue, priority, timeout and soft_timeout (seconds), max_attempts, backoff, result_ttl
        (seconds a completed job is kept, instead of its queue's retention): the job defaults of its
        submits. retry_on: the exceptions worth another attempt (others then fail the
        job for good). before/after/on_success/on_failure: this task's hooks (hooks.py). A first
        parameter annotated JobContext (or context=True) gets the job's context."""
        defaults = {"queue": queue, "priority": priority, "timeout": timeout, "soft_timeout": soft_timeout,
                    "max_attempts": max_attempts, "backoff": backoff, "result_ttl": result_ttl}
        job_fields(defaults, TASK_DEFAULTS, "@app.task")  # refuses bad values now, not at the first submit
        defaults = {k: v for k, v in defaults.items() if v is not None}
        hooks = Hooks(before, after, on_success, on_failure)

        def register(f: Callable[..., Any]) -> Task[Any, Any]:
            task_name = name or f.__name__
            if task_name in self.tasks or task_name in self.handlers:
                raise ValueError(f"a task or handler named {task_name!r} is already registered")
            t: Task[Any, Any] = Task(self, f, task_name, defaults, retry_on, hooks, context)
            self.tasks[task_name] = t
            return t

        return register(fn) if fn is not None else register

    def handler(self, job_type: str) -> Callable[[F], F]:
        """Decorator: a plain handler (it takes the JobContext, reads job.payload as it is) for jobs
        of this type, run by this app's worker beside its tasks."""

        def register(fn: F) -> F:
            if job_type in self.tasks or job_type in self.handlers:
                raise ValueError(f"a task or handler named {job_type!r} is already registered")
            self.handlers[job_type] = fn
            return fn

        return register

    def before(self, fn: F) -> F:
        """Decorator: a hook run before every task of this app (see hooks.py for all four)."""
        return _added(self.hooks.before, fn)

    def after(self, fn: F) -> F:
        return _added(self.hooks.after, fn)

    def on_success(self, fn: F) -> F:
        return _added(self.hooks.on_success, fn)

    def on_failure(self, fn: F) -> F:
        return _added(self.hooks.on_failure, fn)

    # Submitting.

    def submit_many(self, calls: Iterable[PreparedCall]) -> List[TaskHandle[Any]]:
        """Submits prepared calls (``task.call(...)``) of any tasks in one request, all or none (up to
        1,000); -> their handles, in order."""
        calls = list(calls)
        if self._eager is not None:
            return [self._eager.run(c.task, c.spec) for c in calls]
        if not calls:
            return []
        if len(calls) == 1:
            jobs = [self.client.submit(**calls[0].spec)]
        else:
            jobs = self.client.submit_many([c.spec for c in calls])
        return [TaskHandle(self.client, job, c.task.hints.get("return")) for c, job in zip(calls, jobs)]

    async def asubmit_many(self, calls: Iterable[PreparedCall]) -> List[AsyncTaskHandle[Any]]:
        """submit_many() on the AsyncClient, awaited; -> AsyncTaskHandles. In eager mode the tasks
        run at once, here, as with submit_many() (the loop waits for them: eager mode is for tests)."""
        calls = list(calls)
        if self._eager is not None:
            from .eager import AsyncEagerHandle
            ran = [AsyncEagerHandle(self._eager.run(c.task, c.spec)) for c in calls]
            return cast(List[AsyncTaskHandle[Any]], ran)  # not one, but it answers every call of one
        if not calls:
            return []
        if len(calls) == 1:
            jobs = [await self.async_client.submit(**calls[0].spec)]
        else:
            jobs = await self.async_client.submit_many([c.spec for c in calls])
        return [AsyncTaskHandle(self.async_client, job, c.task.hints.get("return")) for c, job in zip(calls, jobs)]

    @contextlib.contextmanager
    def eager(self) -> Iterator[Any]:
        """Within it, a submit runs the task at once, here, with the same argument checking and JSON
        round trip as a worker; attempts are retried at once as the job's would be. Yields the
        runner, whose ``handles`` lists what ran."""
        from .eager import EagerRunner
        previous, self._eager = self._eager, EagerRunner(self)
        try:
            yield self._eager
        finally:
            self._eager = previous

    # Running.

    def queues(self) -> List[str]:
        """The queues of this app's tasks (their ``queue``, else ``default``)."""
        names = {t.defaults.get("queue") or "default" for t in self.tasks.values()}
        if self.handlers:
            names.add("default")
        return sorted(names)

    def handler_of(self, name: str) -> Callable[[JobContext], Any]:
        """The worker's handler for jobs of this type: the task's, or the plain handler."""
        if name in self.tasks:
            return handler_for(self.tasks[name], self.hooks)
        return self.handlers[name]

    def worker(self, queues: Optional[Iterable[str]] = None, concurrency: int = 4, **options: Any) -> Worker:
        """A Worker for every task and handler of this app (an AsyncWorker when a task is async):
        queues default to the tasks' queues; options are Worker's (grace_s, prefetch, lease_s...)."""
        if not self.tasks and not self.handlers:
            raise ValueError("the app has no tasks: decorate a function with @app.task")
        is_async = any(t.is_async for t in self.tasks.values()) or \
            any(_is_coroutine_function(h) for h in self.handlers.values())
        cls = AsyncWorker if is_async else Worker
        worker: Worker = cls(self.client, queues=list(queues) if queues is not None else self.queues(),
                     concurrency=concurrency, **options)
        for name in [*self.tasks, *self.handlers]:
            worker.handler(name)(self.handler_of(name))
        return worker


def _is_coroutine_function(fn: Any) -> bool:
    import inspect
    return inspect.iscoroutinefunction(fn)


def _added(hooks: List[Hook], fn: F) -> F:
    """fn, appended to hooks: what a hook decorator returns."""
    hooks.append(fn)
    return fn
