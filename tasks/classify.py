"""Timeliness in SQL: the predicates for overdue / due soon / on track / no deadline / done on time /
done late, derived from `tasks.timeliness` in this one place. Lists, counts, the overdue list and the
reports filter through them; Python classifies only the rows it shows.

Why they agree with `timeliness(task, now, calendar, n)`, case by case. Write c for the counted
deadline (SQL `COALESCE(missed_due_on, due_on)`, Python `counted_due_on`), E(c) for its effective
date `calendar.effective_due(c)`, and S(c) = `calendar.add_working_days(E(c), -n)`, the first day
from which a task due on c is "due soon". A task that is not done is judged as of a reference day
r: today, or for a submitted task its submission day (`completed_on`, today when missing). Then:

- OVERDUE   ⇔ r > E(c)                    (timeliness: `reference > due`)
- DUE_SOON  ⇔ S(c) <= r <= E(c)           (working_days_between(r, E) <= n ⇔ r >= the n-th
                                           working day before the working day E, which is S);
                                           never for a submitted task, whose work is finished
- ON_TRACK  ⇔ r < S(c)                    (S <= E, so this is "neither of the above"); for a
                                           submitted task r <= E(c)
- NO_DEADLINE ⇔ c is NULL; done: DONE_LATE ⇔ completed_on > E(c), else DONE_ON_TIME.

For open and in-progress tasks r is today, one constant, and the first three become ranges of c
itself, the documented cutoffs of `overdue_cutoff` and `due_soon_cutoff` — so those predicates are
plain comparisons an index on c serves. For submitted and done tasks r varies by row, so E
is sent along as data (`DayMap`): each day's shift in days, as the usual shift of its weekday plus
the days that differ (holidays, days off, swapped working days); the reports count with the same
maps and cutoffs (tasks.reports). A map is exact over the span of deadlines in the table
(`deadline_span`, two index probes per column), looked up first, so it covers every row. (A task
written between that probe and the query, with a deadline outside the span, is judged by its
weekday's usual shift for that one answer: right unless that day is itself a holiday or next to one.) `Classification.classify` applies the same formulas in
Python, and tests/unit/test_classify.py checks them against timeliness() for random calendars.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, Callable, Iterable

from tasks.calendar import WorkingCalendar
from tasks.dates import as_date
from tasks.state import LIVE, RUNNING, TaskState, sql_state, sql_states
from tasks.timeliness import DEFAULT_DUE_SOON_DAYS, Timeliness, due_soon_cutoff, overdue_cutoff

ONE_DAY = timedelta(days=1)


def counted(alias: str = "") -> str:
    """The counted deadline in SQL, spelled the same everywhere so one expression index serves it."""
    p = f"{alias}." if alias else ""
    return f"COALESCE({p}missed_due_on, {p}due_on)"


def date_literal(day: date, postgres: bool) -> str:
    # SQLite must not cast: its DATE affinity would turn '2026-03-03' into 2026 (see reports).
    return f"'{day.isoformat()}'::date" if postgres else f"'{day.isoformat()}'"


@dataclass(frozen=True)
class DayMap:
    """A function day → day, as the shift in days of each day: `by_weekday[d]` for a day whose
    SQL weekday (0 = Sunday) is d, unless the day is listed in `exceptions` (shift, days). Exact for
    the days it was built over (`build_day_map`)."""

    by_weekday: tuple[int, ...]
    exceptions: tuple[tuple[int, tuple[date, ...]], ...]

    def __call__(self, day: date) -> date:
        for shift, days in self.exceptions:
            if day in days:
                return day + timedelta(days=shift)
        return day + timedelta(days=self.by_weekday[(day.weekday() + 1) % 7])

    def sql(self, expr: str, postgres: bool) -> str:
        """`expr` (a date, or NULL) mapped, on either engine."""
        lit = lambda d: date_literal(d, postgres)  # noqa: E731
        # PostgreSQL: days since a Sunday, modulo 7, in integers (EXTRACT gives a slow numeric).
        weekday = f"(({expr} - DATE '1900-01-07') % 7)" if postgres else f"CAST(strftime('%w', {expr}) AS INTEGER)"
        usual = Counter(self.by_weekday).most_common(1)[0][0]
        by_weekday = " ".join(f"WHEN {d} THEN {s}" for d, s in enumerate(self.by_weekday) if s != usual)
        shift = f"CASE {weekday} {by_weekday} ELSE {usual} END" if by_weekday else str(usual)
        if self.exceptions:
            listed = " ".join(f"WHEN {expr} IN ({', '.join(lit(d) for d in days)}) THEN {s}" for s, days in self.exceptions)
            shift = f"CASE {listed} ELSE {shift} END"
        return f"({expr} + {shift})" if postgres else f"date(julianday({expr}) + {shift})"


def build_day_map(f: Callable[[date], date], lo: date, hi: date) -> DayMap:
    shifts = {}
    day = lo
    while day <= hi:
        shifts[day] = (f(day) - day).days
        day += ONE_DAY
    by_weekday = []
    for d in range(7):
        seen = Counter(s for day, s in shifts.items() if (day.weekday() + 1) % 7 == d)
        by_weekday.append(seen.most_common(1)[0][0] if seen else 0)
    listed: dict[int, list[date]] = {}
    for day, s in shifts.items():
        if s != by_weekday[(day.weekday() + 1) % 7]:
            listed.setdefault(s, []).append(day)
    return DayMap(tuple(by_weekday), tuple((s, tuple(days)) for s, days in sorted(listed.items())))


@lru_cache(maxsize=32)
def effective_map(calendar: WorkingCalendar, lo: date, hi: date) -> DayMap:
    """E: a deadline → its effective date (the next working day when it falls on a day off)."""
    return build_day_map(calendar.effective_due, lo, hi)


async def deadline_span(table: Any) -> tuple[date | None, date | None]:
    """The earliest and latest counted deadline in the task table (each an index probe: SQLite
    optimises a lone MIN or MAX only, hence four sub-selects; 0.1 ms at 300k tasks on both). missed_due_on is earlier than
    due_on, so the span of both columns holds every counted deadline."""
    row = (await table.raw(
        "SELECT (SELECT MIN(due_on) FROM task) AS a, (SELECT MAX(due_on) FROM task) AS b, "
        # Spelled with the partial index's own condition, else SQLite scans the table for these.
        "(SELECT MIN(missed_due_on) FROM task WHERE missed_due_on IS NOT NULL) AS c, "
        "(SELECT MAX(missed_due_on) FROM task WHERE missed_due_on IS NOT NULL) AS d"
    ).run())[0]
    days = [as_date(row[k]) for k in "abcd"]
    present = [d for d in days if d is not None]
    return (min(present), max(present)) if present else (None, None)


@dataclass(frozen=True)
class Classification:
    """timeliness() as of one instant, as SQL predicates (and the same formulas in Python)."""

    today: date
    overdue_cutoff: date
    due_soon_cutoff: date  # never below overdue_cutoff: then nothing is due soon
    effective: DayMap
    postgres: bool

    def branches(self, code: Timeliness, alias: str = "") -> list[str]:
        """The SQL conditions, mutually exclusive, whose disjunction holds for a task row exactly
        when timeliness() gives `code`: one for the tasks judged as of today (a range of the
        counted deadline, which the running tasks' partial index answers on its own), one for
        those judged as of a day of their own (submitted, done)."""
        p = f"{alias}." if alias else ""
        c = counted(alias)
        lit = lambda d: date_literal(d, self.postgres)  # noqa: E731
        running = f"{p}state IN {sql_states(RUNNING)}"
        submitted = f"{p}state = {sql_state(TaskState.SUBMITTED)}"
        done = f"{p}state = {sql_state(TaskState.DONE)}"
        ref = f"COALESCE({p}completed_on, {lit(self.today)})"
        e = self.effective.sql(c, self.postgres)
        oc, dsc = lit(self.overdue_cutoff), lit(self.due_soon_cutoff)
        if code is Timeliness.OVERDUE:
            return [f"({running} AND {c} <= {oc})", f"({submitted} AND {ref} > {e})"]
        if code is Timeliness.DUE_SOON:
            return [f"({running} AND {c} > {oc} AND {c} <= {dsc})"]
        if code is Timeliness.ON_TRACK:
            return [f"({running} AND {c} > {dsc})", f"({submitted} AND {ref} <= {e})"]
        if code is Timeliness.NO_DEADLINE:
            return [f"({p}state IN {sql_states(LIVE)} AND {c} IS NULL)"]
        if code is Timeliness.DONE_ON_TIME:
            return [f"({done} AND ({c} IS NULL OR {p}completed_on <= {c} OR {p}completed_on <= {e}))"]
        if code is Timeliness.DONE_LATE:
            return [f"({done} AND {p}completed_on > {c} AND {p}completed_on > {e})"]
        raise ValueError(f"unknown timeliness: {code!r}")

    def predicate(self, code: Timeliness, alias: str = "") -> str:
        """The SQL condition that holds for a task row exactly when timeliness() gives `code`."""
        return "(" + " OR ".join(self.branches(code, alias)) + ")"

    def any_of(self, codes: Iterable[Timeliness], alias: str = "") -> str:
        return "(" + " OR ".join(self.disjoint(codes, alias)) + ")"

    def disjoint(self, codes: Iterable[Timeliness], alias: str = "") -> list[str]:
        """The branches of every code in `codes`: mutually exclusive (timeliness gives one code),
        so a total may add up their counts, each an index's own answer."""
        return [b for code in sorted(set(codes)) for b in self.branches(code, alias)] or ["(1 = 0)"]

    def classify(self, state: str, due_on: date | None, completed_on: date | None, missed_due_on: date | None = None) -> Timeliness | None:
        """The predicates above evaluated in Python, for the tests that hold them to timeliness()."""
        c = missed_due_on if missed_due_on is not None else due_on
        if state in (TaskState.PAUSED, TaskState.CANCELLED):
            return None
        if c is None:
            return Timeliness.DONE_ON_TIME if state == TaskState.DONE else Timeliness.NO_DEADLINE
        if state == TaskState.DONE:
            return Timeliness.DONE_LATE if completed_on is not None and completed_on > self.effective(c) else Timeliness.DONE_ON_TIME
        if state in RUNNING:
            if c <= self.overdue_cutoff:
                return Timeliness.OVERDUE
            return Timeliness.DUE_SOON if c <= self.due_soon_cutoff else Timeliness.ON_TRACK
        ref = completed_on or self.today
        return Timeliness.OVERDUE if ref > self.effective(c) else Timeliness.ON_TRACK


def classification_for(
    now: datetime, calendar: WorkingCalendar, due_soon_days: int, span: tuple[date | None, date | None], postgres: bool,
) -> Classification:
    """The classification as of `now`, exact for every counted deadline within `span`."""
    if due_soon_days < 0:
        raise ValueError("due_soon_days must not be negative")
    today = calendar.today(now)
    lo, hi = span
    lo, hi = (lo or today), (hi or today)
    oc = overdue_cutoff(today, calendar)
    return Classification(
        today=today,
        overdue_cutoff=oc,
        due_soon_cutoff=max(due_soon_cutoff(today, calendar, due_soon_days), oc),
        effective=effective_map(calendar, lo, hi),
        postgres=postgres,
    )


async def classification(table: Any, now: datetime, calendar: WorkingCalendar, due_soon_days: int = DEFAULT_DUE_SOON_DAYS) -> Classification:
    """The classification as of `now` for the tasks in the database `table` is bound to."""
    return classification_for(now, calendar, due_soon_days, await deadline_span(table), table._meta.db.engine_type == "postgres")
