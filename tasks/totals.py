"""Totals of the task list, counted once per version of the task data: the database bumps
`task_version` in the same transaction as every write to `task` or `task_support` (migration
2026-12-01T13:00), so a total counted under version v is exact for as long as the version reads v,
on every app instance. Counting the running tasks of a large register takes tens of milliseconds;
reading the version takes one index probe."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Awaitable, Callable, Hashable

from tasks.tables import Task

MAX_ENTRIES = 2048


class TotalsCache:
    """Per process. The version is read before counting: a write committed meanwhile makes the
    next reader see a newer version and count again, so no total outlives the data it counted."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, int] = OrderedDict()

    async def total(self, key: Hashable, count: Callable[[], Awaitable[int]]) -> int:
        engine = Task._meta.db
        version = await data_version()
        if version is None:  # a database without the counter: count every time
            return await count()
        full_key = (id(engine), version, key)
        entries = self._entries
        if full_key in entries:
            entries.move_to_end(full_key)
            return entries[full_key]
        n = await count()
        entries[full_key] = n
        if len(entries) > self.max_entries:
            entries.popitem(last=False)
        return n


async def data_version() -> int | None:
    rows = await Task.raw("SELECT n FROM task_version WHERE id = 1").run()
    return int(rows[0]["n"]) if rows else None


def calendar_key(calendar: Any) -> Hashable:
    """What of a WorkingCalendar can change a total: its zone and the admin's days."""
    return (str(calendar.timezone), calendar.extra_days_off, calendar.swapped_working_days)


TOTALS = TotalsCache()
