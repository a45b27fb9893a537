"""Server-Sent Events, one (event name, data text) at a time. SseParser takes lines and knows no I/O,
so the sync stream (read_events, on an http.client response) and the async one share it."""

from typing import Any, Iterator, List, Optional, Tuple


class SseParser:
    """feed(line) one line at a time (without its line end); -> (event, data) when a message ends."""

    def __init__(self) -> None:
        self._event: Optional[str] = None
        self._data: List[str] = []

    def feed(self, line: str) -> Optional[Tuple[str, str]]:
        if line == "":
            message = (self._event or "message", "\n".join(self._data)) if self._data else None
            self._event, self._data = None, []
            return message
        if line.startswith(":"):  # a comment: the server's keep-alive
            return None
        name, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        return None


def read_events(resp: Any) -> Iterator[Tuple[str, str]]:
    """Yields (event, data) for each message until the body ends. Comments (keep-alives) are skipped."""
    parser = SseParser()
    while True:
        line = resp.readline()
        if not line:
            return
        message = parser.feed(line.decode("utf-8", errors="replace").rstrip("\r\n"))
        if message is not None:
            yield message
