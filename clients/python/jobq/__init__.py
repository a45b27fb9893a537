"""jobq: the Python client and worker of the jobq job server. Standard library only."""

__version__ = "0.1.0"

from .async_worker import AsyncWorker
from .client import Client
from .errors import (ConnectionFailed, Conflict, Forbidden, InvalidArgument, JobCancelled, JobqError,
                     NotFound, PayloadTooLarge, PermanentFailure, ServerFault, Unauthorized, Unavailable)
from .job import Job, Page
from .job_context import JobContext
from .worker import Worker

__all__ = ["AsyncWorker", "Client", "ConnectionFailed", "Conflict", "Forbidden", "InvalidArgument", "Job",
           "JobCancelled", "JobContext", "JobqError", "NotFound", "Page", "PayloadTooLarge",
           "PermanentFailure", "ServerFault", "Unauthorized", "Unavailable", "Worker"]
