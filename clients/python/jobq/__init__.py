"""jobq: the Python client and worker of the jobq job server. Standard library only."""

__version__ = "0.1.0"

from .app import App
from .async_worker import AsyncWorker
from .client import Client
from .codec import NotJsonable
from .errors import (ConnectionFailed, Conflict, Forbidden, InvalidArgument, JobCancelled, JobqError,
                     NotFound, PayloadTooLarge, PermanentFailure, Retry, ServerFault, TaskFailed, Unauthorized,
                     Unavailable)
from .handle import TaskHandle
from .job import Job, Page
from .job_context import JobContext
from .task import PreparedCall, Task
from .worker import Worker

__all__ = ["App", "AsyncWorker", "Client", "ConnectionFailed", "Conflict", "Forbidden", "InvalidArgument", "Job",
           "JobCancelled", "JobContext", "JobqError", "NotFound", "NotJsonable", "Page", "PayloadTooLarge",
           "PermanentFailure", "PreparedCall", "Retry", "ServerFault", "Task", "TaskFailed", "TaskHandle",
           "Unauthorized", "Unavailable", "Worker"]
