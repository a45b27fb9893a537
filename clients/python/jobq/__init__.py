"""jobq: the Python client and worker of the jobq job server. Standard library only."""

__version__ = "0.1.0"

from .app import App
from .async_client import AsyncClient
from .async_event_stream import AsyncEventStream
from .async_worker import AsyncWorker
from .client import Client
from .codec import NotJsonable
from .errors import (ConnectionFailed, Conflict, Forbidden, InvalidArgument, JobCancelled, JobqError,
                     NotFound, PayloadTooLarge, PermanentFailure, QuotaExceeded, Retry, ServerFault,
                     TaskFailed, Unauthorized, Unavailable)
from .event_stream import EventStream
from .handle import AsyncTaskHandle, TaskHandle
from .job import Job, JobError, JobStatus, Page
from .job_context import JobContext
from .operator_calls import LimitSetting, Limits, QueueInfo, StartRate, WorkerInfo
from .schedule_calls import ScheduleInfo
from .task import PreparedCall, Task
from .webhook_calls import WebhookDelivery, WebhookDeliveryPage, WebhookHook, WebhookSettings
from .worker import Worker

__all__ = ["App", "AsyncClient", "AsyncEventStream", "AsyncTaskHandle", "AsyncWorker", "Client",
           "ConnectionFailed", "Conflict", "EventStream", "Forbidden", "InvalidArgument", "Job",
           "JobCancelled", "JobContext", "JobError", "JobStatus", "JobqError", "LimitSetting", "Limits",
           "NotFound", "NotJsonable", "Page", "PayloadTooLarge", "PermanentFailure", "PreparedCall", "QueueInfo",
           "QuotaExceeded", "Retry", "ScheduleInfo", "ServerFault", "StartRate", "Task", "TaskFailed", "TaskHandle",
           "Unauthorized", "Unavailable", "WebhookDelivery", "WebhookDeliveryPage", "WebhookHook", "WebhookSettings",
           "Worker", "WorkerInfo"]
