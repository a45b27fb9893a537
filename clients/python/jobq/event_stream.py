"""An open event stream of the sync Client: iterate it for (event, Job); close() or a with block
hangs up. (AsyncClient's is async_event_stream.py.)"""

from __future__ import annotations

from typing import Any, Generator, Tuple

from .job import Job


class EventStream:
    def __init__(self, conn: Any, messages: Generator[Tuple[str, Job], None, None]) -> None:
        self._conn = conn
        self._messages = messages

    def __iter__(self) -> EventStream:
        return self

    def __next__(self) -> Tuple[str, Job]:
        return next(self._messages)

    def close(self) -> None:
        self._messages.close()
        self._conn.close()

    def __enter__(self) -> EventStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
