"""A job as the server shows it: a dict of the API's fields, also readable as attributes."""

FINISHED = frozenset(("completed", "failed", "cancelled"))


class Job(dict):
    """The job's JSON object (``job["status"]``), with attribute access (``job.status``).

    Fields are those of docs/api.md; a field the server left out reads as None.
    """

    __slots__ = ()

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self.get(name)

    @property
    def finished(self):
        """True once the job is completed, failed or cancelled."""
        return self.get("status") in FINISHED

    def __repr__(self):
        return f"Job(id={self.get('id')!r}, type={self.get('type')!r}, status={self.get('status')!r})"


class Page:
    """One page of a listing: ``jobs`` and the ``next_cursor`` to pass for the next (None at the end)."""

    __slots__ = ("jobs", "next_cursor")

    def __init__(self, jobs, next_cursor):
        self.jobs = jobs
        self.next_cursor = next_cursor

    def __iter__(self):
        return iter(self.jobs)

    def __len__(self):
        return len(self.jobs)

    def __repr__(self):
        return f"Page({len(self.jobs)} jobs, next_cursor={self.next_cursor!r})"
