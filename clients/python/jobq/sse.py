"""Reads Server-Sent Events from an http.client response, one (event name, data text) at a time."""


def read_events(resp):
    """Yields (event, data) for each message until the body ends. Comments (keep-alives) are skipped."""
    event, data = None, []
    while True:
        line = resp.readline()
        if not line:
            return
        line = line.decode("utf-8", errors="replace").rstrip("\r\n")
        if line == "":
            if data:
                yield event or "message", "\n".join(data)
            event, data = None, []
        elif line.startswith(":"):
            continue
        else:
            name, _, value = line.partition(":")
            if value.startswith(" "):
                value = value[1:]
            if name == "event":
                event = value
            elif name == "data":
                data.append(value)
