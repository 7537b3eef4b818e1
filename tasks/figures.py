"""The register in figures, for the operator's metrics."""

from __future__ import annotations

from datetime import datetime

from tasks.calendar import WorkingCalendar
from tasks.classify import classification
from tasks.tables import Task
from tasks.timeliness import Timeliness


async def overdue_count(now: datetime, calendar: WorkingCalendar, due_soon_days: int) -> int:
    """How many tasks are overdue as of `now`: exactly those timeliness() calls overdue, counted
    through the one SQL form of it (tasks.classify), as the lists and reports count them."""
    overdue = (await classification(Task, now, calendar, due_soon_days)).predicate(Timeliness.OVERDUE)
    rows = await Task.raw(f"SELECT COUNT(*) AS n FROM task WHERE {overdue}").run()
    return int(rows[0]["n"])
