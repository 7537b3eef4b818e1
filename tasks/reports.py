"""Leadership reports (DESIGN §6): completion figures per division / leader / issuer / directive and
the 12-week trend (the weekly overdue list is in tasks.overdue).

One source of truth: every task is classified by the SQL predicates of `tasks.classify`, which are
`tasks.timeliness.timeliness` case by case (tests/unit/test_classify.py). The database does the
counting: one statement gives COUNT(*) per (group key, code), each code a timeliness verdict and
whether the task was still in its division's hands (`CODES`), so Python only adds up a few hundred
rows whatever the number of tasks. The deadline is the counted one, `COALESCE(missed_due_on,
due_on)`: a task whose missed deadline the office corrected stays late against it. The result is
exact on both engines (the property test compares it with timeliness() task by task).

As of a past time, a task is taken as it stood then: not yet assigned if created later, and still
in progress if its division submitted it after that day (deadlines and pauses are as they are now).

Speed (docs/performance.md "Completion report"): the statements read the tasks as ranges of the
index `task_report_ix` (state first), index-only, and on PostgreSQL the counts and the update rate
run at once on two pooled connections.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from typing import Any, Callable

from tasks.calendar import WorkingCalendar
from tasks.classify import Classification, classification_for, counted, deadline_span
from tasks.dates import as_date
from tasks.errors import N_, Invalid
from tasks.permissions import Actor
from tasks.report_sql import Period, binder, day_start, make_period, visible_division
from tasks.state import COMPLETED, RUNNING, STOPPED, TaskState, sql_state, sql_states
from tasks.tables import Task
from tasks.timeliness import DEFAULT_DUE_SOON_DAYS, Timeliness

GROUP_BYS = ("division", "leader", "issuer", "directive")
UPDATE_WINDOW = timedelta(days=7)
TREND_WEEKS = 12

# Column titles and their Vietnamese, through the catalog.
CATEGORY_LABELS = {
    "assigned": N_("Assigned (total)"),
    "done_on_time": N_("Done on time"),
    "done_late": N_("Done late"),
    "on_track": N_("In progress, on track"),
    "due_soon": N_("In progress, due soon"),
    "overdue": N_("Overdue, not done"),
    "no_deadline": N_("No deadline"),
    "stopped": N_("Paused or cancelled"),
}
RATE_LABELS = {
    "completion_of_due": (N_("Completion rate (of tasks fallen due)"), N_("done ÷ (done + overdue)")),
    "completion_of_assigned": (N_("Completion rate (of tasks assigned)"), N_("done ÷ (assigned − paused or cancelled)")),
    "on_time": (N_("On-time rate"), N_("done on time ÷ done")),
    "update": (N_("Update rate"), N_("open tasks with a progress report in the last 7 days ÷ open tasks")),
}
GROUP_LABELS = {
    "division": N_("Lead division"),
    "leader": N_("Leader in charge"),
    "issuer": N_("Issuer"),
    "directive": N_("Directive"),
}
NO_LEADER = N_("(no leader in charge)")


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return None if self.denominator == 0 else self.numerator / self.denominator

    def percent(self, locale: str = "vi") -> str:
        from tasks.formatting import format_percent  # here, so this file's imports stay untouched

        return format_percent(self.value, locale)


@dataclass
class Tally:
    """Counts of one group. The eight categories partition `assigned`; `open_tasks` and `updated`
    count the tasks still in the hands of their division (state open or in progress)."""

    assigned: int = 0
    done_on_time: int = 0
    done_late: int = 0
    on_track: int = 0
    due_soon: int = 0
    overdue: int = 0
    no_deadline: int = 0
    stopped: int = 0
    open_tasks: int = 0
    updated: int = 0

    def add(self, other: "Tally") -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @property
    def done(self) -> int:
        return self.done_on_time + self.done_late

    @property
    def fallen_due(self) -> int:
        return self.done + self.overdue

    def rates(self) -> dict[str, Rate]:
        return {
            "completion_of_due": Rate(self.done, self.fallen_due),
            "completion_of_assigned": Rate(self.done, self.assigned - self.stopped),
            "on_time": Rate(self.done_on_time, self.done),
            "update": Rate(self.updated, self.open_tasks),
        }

    def counts(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in CATEGORY_LABELS}


@dataclass
class ReportRow:
    key: Any
    code: str
    name: str
    tally: Tally = field(default_factory=Tally)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class CompletionReport:
    as_of: datetime
    period_from: date | None
    period_to: date
    group_by: str
    rows: list[ReportRow]
    total: Tally


_KEYS = {
    "division": ("t.lead_division", ""),
    "leader": ("t.leader_in_charge", ""),
    "issuer": ("d.issuer", " JOIN directive d ON d.id = t.directive"),
    "directive": ("t.directive", ""),
    "total": ("0", ""),
}


# What the grouped query says of each task, as small integers (cheaper to group by than text):
# the task's timeliness, and whether it was still in its division's hands (open or in progress)
# as it stood on the day. Paused and cancelled tasks have no timeliness (None).
IN_HAND = {0: Timeliness.NO_DEADLINE, 1: Timeliness.OVERDUE, 2: Timeliness.DUE_SOON, 3: Timeliness.ON_TRACK}
CODES: dict[int, tuple[Timeliness | None, bool]] = {
    **{code: (verdict, True) for code, verdict in IN_HAND.items()},
    4: (Timeliness.DONE_ON_TIME, False),
    5: (Timeliness.DONE_LATE, False),
    6: (Timeliness.NO_DEADLINE, False),
    7: (Timeliness.OVERDUE, False),
    9: (Timeliness.ON_TRACK, False),
    10: (None, False),
}


def _grouped_sql(group_by: str, period: Period, calendar: WorkingCalendar, division_id: int | None, cl: Classification) -> tuple[str, list]:
    """COUNT(*) per (group key, code of CODES), each task classified by the formulas of
    tasks.classify: the running tasks (and, as of a past day, those submitted or confirmed after
    it) by the cutoffs, a range of the counted deadline; a done task by its completion day against
    the deadline's effective day (looked up only when it finished after the deadline itself); a
    submitted one as of its submission day. Three branches by state, so that each is a range of
    `task_report_ix` read index-only, and each CASE tests only what its states need."""
    key, join = _KEYS[group_by]
    args: list[Any] = []
    p = binder(args)
    c = counted("t")
    pg = cl.postgres
    e = cl.effective.sql(c, pg)
    ref = f"COALESCE(t.completed_on, {p(cl.today)})"
    bucket = (f"CASE WHEN {c} IS NULL THEN 0 WHEN {c} <= {p(cl.overdue_cutoff)} THEN 1 "
              f"WHEN {c} <= {p(cl.due_soon_cutoff)} THEN 2 ELSE 3 END")
    done = f"CASE WHEN {c} IS NULL OR t.completed_on <= {c} OR t.completed_on <= {e} THEN 4 ELSE 5 END"
    submitted = f"CASE WHEN {c} IS NULL THEN 6 WHEN {ref} > {e} THEN 7 ELSE 9 END"
    where = _where_period(p, period, calendar, division_id)
    later = f"t.completed_on > {p(cl.today)}"
    branches = [
        f"SELECT {key} AS k, {bucket} AS code FROM task t{join} {where} AND t.state IN {sql_states(RUNNING)}",
        f"SELECT {key} AS k, CASE WHEN {later} THEN {bucket} ELSE {done} END AS code FROM task t{join} {where} AND t.state = {sql_state(TaskState.DONE)}",
        (f"SELECT {key} AS k, CASE WHEN t.state = {sql_state(TaskState.SUBMITTED)} THEN CASE WHEN {later} THEN {bucket} ELSE {submitted} END "
         f"ELSE 10 END AS code FROM task t{join} {where} AND t.state IN {sql_states(STOPPED | {TaskState.SUBMITTED})}"),
    ]
    sql = "SELECT k, code, COUNT(*) AS n FROM (" + " UNION ALL ".join(branches) + ") u GROUP BY 1, 2"
    return sql, args


def _where_period(p: Callable[[Any], str], period: Period, calendar: WorkingCalendar, division_id: int | None) -> str:
    sql = f"WHERE t.created_at <= {p(period.as_of)}"
    end = day_start(period.end + timedelta(days=1), calendar)
    if end <= period.as_of:  # else implied by the first: one comparison a row fewer
        sql += f" AND t.created_at < {p(end)}"
    if period.start is not None:
        sql += f" AND t.created_at >= {p(day_start(period.start, calendar))}"
    if division_id is not None:
        sql += f" AND t.lead_division = {p(division_id)}"
    return sql


def _reported_recently(p: Callable[[Any], str], as_of: datetime) -> str:
    """The update rate's one test of "updated": a progress report in the 7 days up to `as_of`."""
    return ("EXISTS (SELECT 1 FROM progress_report r WHERE r.task = t.id "
            f"AND r.reported_at > {p(as_of - UPDATE_WINDOW)} AND r.reported_at <= {p(as_of)})")


async def not_updated(as_of: datetime) -> dict[int, list[dict]]:
    """The running tasks with no progress report in the 7 days up to `as_of` (what the update rate
    counts as not updated), by lead division, each with its deadline and directive."""
    args: list[Any] = []
    p = binder(args)
    sql = (f"SELECT t.id, t.title, t.due_on, t.lead_division, d.number AS directive FROM task t JOIN directive d ON d.id = t.directive "
           f"WHERE t.state IN {sql_states(RUNNING)} AND t.created_at <= {p(as_of)} AND NOT {_reported_recently(p, as_of)} "
           "ORDER BY t.lead_division, t.due_on, t.id")
    found: dict[int, list[dict]] = {}
    for row in await Task.raw(sql, *args).run():
        found.setdefault(row["lead_division"], []).append({**row, "due_on": as_date(row["due_on"])})
    return found


def _updated_sql(group_by: str, period: Period, calendar: WorkingCalendar, division_id: int | None) -> tuple[str, list]:
    """Per group key: the tasks in their division's hands as they stood (open or in progress, or
    submitted or confirmed after the day) with a progress report in the 7 days up to the as-of
    time. Two branches, each a range of `task_report_ix`: the running tasks, and the tasks finished
    after the day (a (state, completed_on) range, usually empty); each a semi-join against the
    recent reports, read index-only from `progress_report (reported_at, task)`."""
    key, join = _KEYS[group_by]
    day = calendar.today(period.as_of)
    args: list[Any] = []
    p = binder(args)
    recent = _reported_recently(p, period.as_of)
    where = _where_period(p, period, calendar, division_id)
    running = f"SELECT {key} AS k FROM task t{join} {where} AND t.state IN {sql_states(RUNNING)} AND {recent}"
    where = _where_period(p, period, calendar, division_id)
    finished_later = (f"SELECT {key} AS k FROM task t{join} {where} AND t.state IN {sql_states(COMPLETED)} "
                      f"AND t.completed_on > {p(day)} AND {recent}")
    return f"SELECT k, COUNT(*) AS n FROM ({running} UNION ALL {finished_later}) u GROUP BY 1", args


async def grouped_counts(
    group_by: str, period: Period, calendar: WorkingCalendar, due_soon_days: int = DEFAULT_DUE_SOON_DAYS,
    division_id: int | None = None, span: tuple[date | None, date | None] | None = None,
) -> tuple[list[dict], list[dict]]:
    """The bare SQL of the report (also timed on its own by bench/reports.py): the counts per
    (key, code), and the counts of recently updated open tasks per key. `span`: the span of counted
    deadlines (tasks.classify.deadline_span), None to look it up."""
    if span is None:
        span = await deadline_span(Task)
    cl = classification_for(period.as_of, calendar, due_soon_days, span, Task._meta.db.engine_type == "postgres")
    counts_sql, counts_args = _grouped_sql(group_by, period, calendar, division_id, cl)
    updated_sql, updated_args = _updated_sql(group_by, period, calendar, division_id)
    if cl.postgres and Task._meta.db.current_transaction.get() is None:
        # Two statements on two pooled connections at once (not inside a transaction, whose one
        # connection runs a statement at a time).
        return tuple(await asyncio.gather(Task.raw(counts_sql, *counts_args).run(), Task.raw(updated_sql, *updated_args).run()))
    return await Task.raw(counts_sql, *counts_args).run(), await Task.raw(updated_sql, *updated_args).run()


def tally_groups(sql_rows: tuple[list[dict], list[dict]]) -> dict[Any, Tally]:
    """Add each (key, code) count to its key's tally."""
    rows, updated = sql_rows
    tallies: dict[Any, Tally] = {}
    for r in rows:
        verdict, in_hand = CODES[int(r["code"])]
        n = int(r["n"])
        t = tallies.get(r["k"])
        if t is None:
            t = tallies[r["k"]] = Tally()
        t.assigned += n
        if verdict is None:
            t.stopped += n
        else:
            setattr(t, verdict.value, getattr(t, verdict.value) + n)
        if in_hand:
            t.open_tasks += n
    for r in updated:
        tallies.setdefault(r["k"], Tally()).updated += int(r["n"])
    return tallies


async def _names(group_by: str, keys: list[Any]) -> dict[Any, tuple[str, str, dict]]:
    wanted = [k for k in keys if k is not None]
    if group_by == "division":
        rows = await Task.raw("SELECT id, code, name FROM division").run()
        return {r["id"]: (r["code"], r["name"], {}) for r in rows}
    if group_by == "leader":
        rows = await Task.raw("SELECT id, username, full_name FROM app_user").run()
        return {r["id"]: (r["username"], r["full_name"] or r["username"], {}) for r in rows if r["id"] in wanted}
    if group_by == "issuer":
        return {k: (k, k, {}) for k in wanted}
    if group_by == "directive" and wanted:
        out = {}
        for chunk in range(0, len(wanted), 500):
            ids = wanted[chunk : chunk + 500]
            marks = ", ".join("{}" for _ in ids)
            for r in await Task.raw(f"SELECT id, number, issuer, issued_on, summary FROM directive WHERE id IN ({marks})", *ids).run():
                out[r["id"]] = (r["number"], r["summary"], {"issuer": r["issuer"], "issued_on": as_date(r["issued_on"])})
        return out
    return {}


async def completion_report(
    actor: Actor | None,
    calendar: WorkingCalendar,
    as_of: datetime,
    start: date | None = None,
    end: date | None = None,
    group_by: str = "division",
    due_soon_days: int = DEFAULT_DUE_SOON_DAYS,
    division_id: int | None = None,
) -> CompletionReport:
    """`actor` None is the command line (the server's administrator): everything."""
    if group_by not in GROUP_BYS:
        raise Invalid(N_("Unknown grouping: {value}"), fields={"group_by": N_("Must be division, leader, issuer or directive")}, value=group_by)
    period = make_period(calendar, as_of, start, end)
    scope = visible_division(actor, division_id)
    rows = await grouped_counts(group_by, period, calendar, due_soon_days, scope)
    tallies = tally_groups(rows)
    names = await _names(group_by, list(tallies))
    report_rows: list[ReportRow] = []
    if group_by == "division":
        # Every division the reader may see appears, with zeros if it leads nothing in the period.
        for key, (code, name, extra) in names.items():
            if scope is None or key == scope:
                tallies.setdefault(key, Tally())
    total = Tally()
    for key, tally in tallies.items():
        code, name, extra = names.get(key, ("", "", {}))
        if key is None and group_by == "leader":
            code, name = "", NO_LEADER
        report_rows.append(ReportRow(key=key, code=code, name=name, tally=tally, extra=extra))
        total.add(tally)
    report_rows.sort(key=lambda r: (r.key is None, r.code.casefold(), str(r.key)))
    return CompletionReport(as_of=as_of, period_from=period.start, period_to=period.end, group_by=group_by, rows=report_rows, total=total)


@dataclass(frozen=True)
class TrendPoint:
    as_of: datetime
    day: date
    tally: Tally


async def weekly_trend(
    actor: Actor | None, calendar: WorkingCalendar, as_of: datetime, start: date | None = None,
    due_soon_days: int = DEFAULT_DUE_SOON_DAYS, weeks: int = TREND_WEEKS, division_id: int | None = None,
) -> list[TrendPoint]:
    """The totals as they stood at the same hour on each of the last `weeks` weeks, oldest first."""
    scope = visible_division(actor, division_id)
    span = await deadline_span(Task)

    async def point(at: datetime) -> TrendPoint:
        day = calendar.today(at)
        total = Tally()
        if start is None or start <= day:
            rows = await grouped_counts("total", Period(as_of=at, start=start, end=day), calendar, due_soon_days, scope, span)
            for t in tally_groups(rows).values():
                total.add(t)
        return TrendPoint(at, day, total)

    instants = [as_of - timedelta(weeks=i) for i in reversed(range(weeks))]
    if Task._meta.db.engine_type == "postgres" and Task._meta.db.current_transaction.get() is None:
        return list(await asyncio.gather(*(point(at) for at in instants)))  # on several pooled connections
    return [await point(at) for at in instants]


# --- Presenting: plain, JSON-ready values with the labels in the reader's language -------------

Gettext = Callable[..., str]


def rate_dict(rate: Rate) -> dict[str, Any]:
    return {"numerator": rate.numerator, "denominator": rate.denominator, "value": None if rate.value is None else round(rate.value, 4)}


def tally_dict(t: Tally) -> dict[str, Any]:
    # "done" here is the API's count of finished tasks (on time + late), a field name.
    return {**t.counts(), "done": t.done,  # not a task state
            "fallen_due": t.fallen_due, "open_tasks": t.open_tasks, "updated": t.updated,
            "rates": {k: rate_dict(v) for k, v in t.rates().items()}}


def labels(_: Gettext) -> dict[str, Any]:
    return {
        "categories": {k: _(v) for k, v in CATEGORY_LABELS.items()},
        "rates": {k: {"label": _(label), "formula": _(formula)} for k, (label, formula) in RATE_LABELS.items()},
        "group_by": {k: _(v) for k, v in GROUP_LABELS.items()},
    }


def completion_dict(report: CompletionReport, _: Gettext, trend: list[TrendPoint] | None = None) -> dict[str, Any]:
    out = {
        "as_of": report.as_of,
        "from": report.period_from,
        "to": report.period_to,
        "group_by": report.group_by,
        "labels": labels(_),
        "rows": [
            {"key": r.key, "code": r.code, "name": _(r.name) if r.name == NO_LEADER else r.name, **r.extra, **tally_dict(r.tally)}
            for r in report.rows
        ],
        "total": tally_dict(report.total),
    }
    if trend is not None:
        out["trend"] = [{"as_of": p.as_of, "day": p.day, **tally_dict(p.tally)} for p in trend]
    return out
