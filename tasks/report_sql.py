"""What the completion report and the overdue list share: the period of assignment dates as of an
instant, who sees which division's figures, and the SQL literals their statements are built with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Any, Callable

from tasks.calendar import WorkingCalendar
from tasks.errors import N_, Invalid
from tasks.permissions import Actor, sees_all_tasks
from tasks.tables import Task


@dataclass(frozen=True)
class Period:
    """Tasks assigned (created) from `start` to `end`, province dates, as of the instant `as_of`."""

    as_of: datetime
    start: date | None
    end: date


def make_period(calendar: WorkingCalendar, as_of: datetime, start: date | None, end: date | None) -> Period:
    today = calendar.today(as_of)
    end = end or today
    if start is not None and start > end:
        raise Invalid(N_("The period starts after it ends."), fields={"from": N_("After the end of the period")})
    return Period(as_of=as_of, start=start, end=end)


def day_start(day: date, calendar: WorkingCalendar) -> datetime:
    return datetime.combine(day, time.min, tzinfo=calendar.timezone)


def visible_division(actor: Actor | None, division_id: int | None) -> int | None:
    """A division head sees their own division's figures only (as lead division)."""
    if actor is not None and not sees_all_tasks(actor):
        return actor.division_id if actor.division_id is not None else -1
    return division_id


def binder(args: list[Any]) -> Callable[[Any], str]:
    """Renders a value the report computed itself (a date, an instant, an id, a list of day counts)
    as an SQL literal. Never user text: only these types are accepted. Literals rather than
    parameters because the planner then sees the cutoffs (PostgreSQL plans such a statement in
    parallel, a generic plan of the prepared one it does not), and a CASE of bare parameters would
    be typed as text. (SQLite must not cast: its DATE affinity turns '2026-03-03' into 2026.)
    `args` stays for statements that need real parameters; none do now."""
    postgres = Task._meta.db.engine_type == "postgres"

    def p(value: Any) -> str:
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError("report instants must be timezone-aware")
            utc = value.astimezone(timezone.utc)
            # As stored: PostgreSQL timestamptz; on SQLite the text Piccolo writes, str(UTC datetime).
            return f"'{utc.isoformat()}'::timestamptz" if postgres else f"'{utc}'"
        if isinstance(value, date):
            return f"'{value.isoformat()}'::date" if postgres else f"'{value.isoformat()}'"
        if isinstance(value, bool) or not isinstance(value, (int, list)):
            raise TypeError(f"not a report value: {value!r}")
        if isinstance(value, list):
            return "ARRAY[" + ",".join(str(int(v)) for v in value) + "]::int[]"  # no braces: Piccolo formats {}
        return str(int(value))

    return p
