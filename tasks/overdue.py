"""The weekly overdue list (DESIGN §6): every task overdue as of a time, with its directive, lead
division, effective due date, working days overdue, leader in charge and last progress note.
SQL selects the running tasks past `overdue_cutoff` (exactly the overdue ones) and the tasks
submitted after their deadline; timeliness() decides each of the latter. The deadline is the
counted one, `COALESCE(missed_due_on, due_on)` (tasks.classify): an item's `due_on` is the deadline
the task is late against, which is the one it missed when the office has since corrected it."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any, Callable

from tasks.calendar import WorkingCalendar
from tasks.classify import counted
from tasks.dates import as_date
from tasks.errors import N_, Invalid
from tasks.permissions import Actor
from tasks.report_sql import Period, binder, day_start, make_period, visible_division
from tasks.state import COMPLETED, RUNNING, TaskState, sql_state, sql_states
from tasks.tables import Task
from tasks.timeliness import DEFAULT_DUE_SOON_DAYS, TaskDates, Timeliness, effective_due_on, overdue_cutoff, timeliness


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
    p = binder(args)
    c = counted("t")
    completed, submitted = sql_states(COMPLETED), sql_state(TaskState.SUBMITTED)
    st = f"CASE WHEN t.state IN {completed} AND t.completed_on > {p(day)} THEN {sql_state(TaskState.IN_PROGRESS)} ELSE t.state END"
    sql = (
        f"SELECT t.id, t.title, {st} AS st, {c} AS due_on, t.completed_on, d.number, d.issued_on, v.code, v.name AS division_name, "
        # The leader's full name, else username (an empty one counts as none); no note is ''.
        "COALESCE(NULLIF(u.full_name, ''), u.username, '') AS leader, COALESCE(p.note, '') AS note, p.reported_at "
        "FROM task t JOIN directive d ON d.id = t.directive JOIN division v ON v.id = t.lead_division "
        "LEFT JOIN app_user u ON u.id = t.leader_in_charge "
        "LEFT JOIN progress_report p ON p.id = (SELECT MAX(q.id) FROM progress_report q "
        f"WHERE q.task = t.id AND q.reported_at <= {p(as_of)}) "
        f"WHERE {c} IS NOT NULL AND t.created_at <= {p(as_of)} "
        f"AND t.created_at < {p(day_start(period.end + timedelta(days=1), calendar))} "
        # A running task (as it stood) is overdue exactly when due_on <= overdue_cutoff(today); a
        # task submitted after its due_on is only a candidate: timeliness() decides it below.
        f"AND ((t.state IN {sql_states(RUNNING)} AND {c} <= {p(oc)}) "
        f"OR (t.state IN {completed} AND t.completed_on > {p(day)} AND {c} <= {p(oc)}) "
        f"OR (t.state = {submitted} AND t.completed_on <= {p(day)} AND t.completed_on > {c}))"
    )
    if period.start is not None:
        sql += f" AND t.created_at >= {p(day_start(period.start, calendar))}"
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
    rows = await overdue_rows(period, calendar, visible_division(actor, division_id))
    if rows and due_soon_days < 0:
        raise ValueError("due_soon_days must not be negative")  # as timeliness() says for any task
    today = calendar.today(as_of)
    zone = calendar.timezone
    days = _WorkingDaysTo(calendar, today)
    # Each distinct deadline is worked out once: (sort prefix, due_on, effective due, working days
    # overdue), or None when not overdue. A running task (open or in progress as it stood) came
    # through SQL's `due_on <= overdue_cutoff(today)`, which is exactly overdue; only a submitted
    # one, judged as of its submission day, is decided here by timeliness().
    running: dict[Any, tuple | None] = {}
    submitted: dict[tuple, tuple | None] = {}
    items: list[OverdueItem] = []
    keys: list[int] = []
    small_ids = True
    for r in rows:
        if r["st"] == TaskState.SUBMITTED:
            key = (r["due_on"], r["completed_on"])
            verdict = submitted.get(key, _UNSEEN)
            if verdict is _UNSEEN:
                verdict = submitted[key] = _submitted_verdict(key, as_of, calendar, due_soon_days, days)
            if verdict is None:
                continue
        else:
            verdict = running.get(r["due_on"])
            if verdict is None:
                verdict = running[r["due_on"]] = _running_verdict(r["due_on"], calendar, days)
        reported_at = r["reported_at"]
        if reported_at is not None:
            if isinstance(reported_at, str):
                reported_at = datetime.fromisoformat(reported_at)
            reported_at = reported_at.astimezone(zone).date()
        issued = r["issued_on"]
        task_id = r["id"]
        small_ids = small_ids and 0 <= task_id < _ID_SPAN
        keys.append(verdict[0] + task_id)
        items.append(OverdueItem(
            task_id, r["title"], r["number"], issued if issued is None or isinstance(issued, date) else as_date(issued),
            r["code"], r["division_name"], verdict[1], verdict[2], verdict[3],
            r["leader"], r["note"], reported_at,
        ))
    if small_ids:
        # One integer per item orders it as (-working days overdue, effective due date, task id);
        # distinct, since the task ids are.
        by_key = dict(zip(keys, items))
        items = [by_key[k] for k in sorted(keys)]
    else:
        items.sort(key=lambda i: (-i.working_days_overdue, i.effective_due_on, i.task_id))
    if group_by == "division":
        items = _stable_groups(items, lambda i: i.division_name, lambda name: name.casefold())
    elif group_by == "leader":
        items = _stable_groups(items, lambda i: i.leader, lambda leader: (not leader, leader.casefold()))
    return items


_UNSEEN = object()
_ID_SPAN = 1 << 32
_DAY_SPAN = 1 << 22  # above date.max.toordinal()


def _sort_prefix(effective: date, overdue_days: int) -> int:
    return (-overdue_days * _DAY_SPAN + effective.toordinal()) * _ID_SPAN


class _WorkingDaysTo:
    """days[d] == calendar.working_days_between(d, today) for d <= today, counted backwards from
    today once for every deadline in the list instead of day by day for each."""

    def __init__(self, calendar: WorkingCalendar, today: date) -> None:
        self.calendar = calendar
        self.counts = {today: 0}
        self.earliest, self.count = today, 0

    def __getitem__(self, day: date) -> int:
        counts = self.counts
        if day not in counts:
            earliest, count, is_working = self.earliest, self.count, self.calendar.is_working
            while earliest > day:
                count += is_working(earliest)
                earliest -= timedelta(days=1)
                counts[earliest] = count
            self.earliest, self.count = earliest, count
        return counts[day]


def _running_verdict(due_on: Any, calendar: WorkingCalendar, days: _WorkingDaysTo) -> tuple:
    """An open or in-progress task due on or before overdue_cutoff(today): overdue by the working
    days from its effective due date to today."""
    due = as_date(due_on)
    effective = calendar.effective_due(due)
    overdue_days = days[effective]
    return _sort_prefix(effective, overdue_days), due, effective, overdue_days


def _submitted_verdict(key: tuple, as_of: datetime, calendar: WorkingCalendar, due_soon_days: int,
                       days: _WorkingDaysTo) -> tuple | None:
    """A task submitted after its due_on, overdue if submitted after its effective due date, by the
    working days up to the submission day (as working_days_overdue() counts them)."""
    dates = TaskDates(TaskState.SUBMITTED, as_date(key[0]), as_date(key[1]))
    if timeliness(dates, as_of, calendar, due_soon_days) is not Timeliness.OVERDUE:
        return None
    effective = effective_due_on(dates, calendar)
    # Both days are on or before today: the submission was on or before today, after the deadline.
    overdue_days = days[effective] - days[dates.completed_on]
    return _sort_prefix(effective, overdue_days), dates.due_on, effective, overdue_days


def _stable_groups(items: list[OverdueItem], attribute: Callable[[OverdueItem], str], order: Callable[[str], Any]) -> list[OverdueItem]:
    """`items` stably sorted by order(attribute(item)): each distinct value is ordered once."""
    groups: dict[Any, list[OverdueItem]] = {}
    keys: dict[str, Any] = {}
    for item in items:
        value = attribute(item)
        key = keys.get(value, _UNSEEN)
        if key is _UNSEEN:
            key = keys[value] = order(value)
        group = groups.get(key)
        if group is None:
            group = groups[key] = []
        group.append(item)
    return [item for key in sorted(groups) for item in groups[key]]


def overdue_dict(items: list[OverdueItem]) -> list[dict[str, Any]]:
    return [{f.name: getattr(i, f.name) for f in fields(OverdueItem)} for i in items]
