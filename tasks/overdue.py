"""The weekly overdue list (DESIGN §6): every task overdue as of a time, with its directive, lead
division, effective due date, working days overdue, leader in charge and last progress note.
SQL prefilters with the cutoff of `overdue_cutoff`; timeliness() decides each task."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any

from tasks.calendar import WorkingCalendar
from tasks.errors import N_, Invalid
from tasks.permissions import Actor
from tasks.reports import Period, _as_date, _binder, _day_start, _scope, make_period
from tasks.tables import Task
from tasks.timeliness import DEFAULT_DUE_SOON_DAYS, TaskDates, Timeliness, effective_due_on, overdue_cutoff, timeliness, working_days_overdue


@dataclass(slots=True)
class OverdueItem:
    task_id: int
    title: str
    directive_number: str
    directive_issued_on: date | None
    division_code: str
    division_name: str
    due_on: date
    effective_due_on: date
    working_days_overdue: int
    leader: str
    last_note: str
    last_note_on: date | None


def _overdue_sql(period: Period, calendar: WorkingCalendar, scope: int | None) -> tuple[str, list]:
    as_of = period.as_of
    day = calendar.today(as_of)
    oc = overdue_cutoff(day, calendar)
    args: list[Any] = []
    p = _binder(args)
    st = f"CASE WHEN t.state IN ('done', 'submitted') AND t.completed_on > {p(day)} THEN 'in_progress' ELSE t.state END"
    sql = (
        f"SELECT t.id, t.title, {st} AS st, t.due_on, t.completed_on, d.number, d.issued_on, v.code, v.name AS division_name, "
        "u.full_name, u.username, p.note, p.reported_at "
        "FROM task t JOIN directive d ON d.id = t.directive JOIN division v ON v.id = t.lead_division "
        "LEFT JOIN app_user u ON u.id = t.leader_in_charge "
        "LEFT JOIN progress_report p ON p.id = (SELECT MAX(q.id) FROM progress_report q "
        f"WHERE q.task = t.id AND q.reported_at <= {p(as_of)}) "
        f"WHERE t.due_on IS NOT NULL AND t.created_at <= {p(as_of)} "
        f"AND t.created_at < {p(_day_start(period.end + timedelta(days=1), calendar))} "
        # Prefilter only; timeliness() decides below.
        f"AND ((t.state IN ('open', 'in_progress') AND t.due_on <= {p(oc)}) "
        f"OR (t.state IN ('done', 'submitted') AND t.completed_on > {p(day)} AND t.due_on <= {p(oc)}) "
        f"OR (t.state = 'submitted' AND t.completed_on <= {p(day)} AND t.completed_on > t.due_on))"
    )
    if period.start is not None:
        sql += f" AND t.created_at >= {p(_day_start(period.start, calendar))}"
    if scope is not None:
        sql += f" AND t.lead_division = {p(scope)}"
    return sql, args


async def overdue_rows(period: Period, calendar: WorkingCalendar, scope: int | None = None) -> list[dict]:
    """The bare SQL of the overdue list (also timed on its own by bench/reports.py)."""
    sql, args = _overdue_sql(period, calendar, scope)
    return await Task.raw(sql, *args).run()


async def overdue_list(
    actor: Actor | None, calendar: WorkingCalendar, as_of: datetime, start: date | None = None, end: date | None = None,
    due_soon_days: int = DEFAULT_DUE_SOON_DAYS, division_id: int | None = None, group_by: str | None = None,
) -> list[OverdueItem]:
    """The weekly overdue list, most working days overdue first (within each lead division or
    leader in charge when grouped so)."""
    if group_by not in (None, "division", "leader"):
        raise Invalid(N_("The overdue list groups by division or leader: {value}"), fields={"group_by": N_("Must be division or leader")}, value=group_by)
    period = make_period(calendar, as_of, start, end)
    rows = await overdue_rows(period, calendar, _scope(actor, division_id))
    today = calendar.today(as_of)
    zone = calendar.timezone
    verdicts: dict[tuple, tuple[date, date, int] | None] = {}
    back: dict[date, int] = {}
    items = []
    append = items.append
    for r in rows:
        state = r["st"]
        key = (state, r["due_on"], r["completed_on"] if state == "submitted" else None)
        verdict = verdicts.get(key, _UNSEEN)
        if verdict is _UNSEEN:
            verdict = verdicts[key] = _verdict(key, as_of, today, calendar, due_soon_days, back)
        if verdict is None:
            continue
        reported_at = r["reported_at"]
        if isinstance(reported_at, str):
            reported_at = datetime.fromisoformat(reported_at)
        issued = r["issued_on"]
        append(OverdueItem(
            r["id"], r["title"], r["number"], issued if issued is None or isinstance(issued, date) else _as_date(issued),
            r["code"], r["division_name"], verdict[0], verdict[1], verdict[2],
            r["full_name"] or r["username"] or "", r["note"] or "",
            reported_at.astimezone(zone).date() if reported_at else None,
        ))
    items.sort(key=lambda i: (-i.working_days_overdue, i.effective_due_on, i.task_id))
    if group_by == "division":
        items.sort(key=lambda i: i.division_name.casefold())
    elif group_by == "leader":
        items.sort(key=lambda i: (not i.leader, i.leader.casefold()))
    return items


_UNSEEN = object()


def _verdict(key: tuple, as_of: datetime, today: date, calendar: WorkingCalendar, due_soon_days: int,
             back: dict[date, int]) -> tuple[date, date, int] | None:
    """(due_on, effective due date, working days overdue) of an overdue (state, due_on, completed_on), else None."""
    dates = TaskDates(key[0], _as_date(key[1]), _as_date(key[2]))
    if timeliness(dates, as_of, calendar, due_soon_days) is not Timeliness.OVERDUE:
        return None
    effective = effective_due_on(dates, calendar)
    if dates.state == "submitted":
        return dates.due_on, effective, working_days_overdue(dates, as_of, calendar)
    # working_days_between(effective, today), counted once backwards from today for every deadline
    # in the list instead of day by day for each.
    if effective not in back:
        back.update(_working_days_back(calendar, today, effective, back))
    return dates.due_on, effective, back[effective]


def _working_days_back(calendar: WorkingCalendar, today: date, until: date, known: dict[date, int]) -> dict[date, int]:
    """{day: calendar.working_days_between(day, today)} for every day from `until` up to `today`,
    continuing from the earliest day already counted."""
    day, count = (min(known), known[min(known)]) if known else (today, 0)
    out = {day: count}
    while day > until:
        count += calendar.is_working(day)
        day -= timedelta(days=1)
        out[day] = count
    return out


def overdue_dict(items: list[OverdueItem]) -> list[dict[str, Any]]:
    return [{f.name: getattr(i, f.name) for f in fields(OverdueItem)} for i in items]
