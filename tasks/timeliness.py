"""Timeliness of a task (DESIGN §3): one pure rule that pages, API, reports and escalation all call.

Never stored and never recomputed differently in SQL: `tasks.classify` derives the SQL predicates
from the cutoff helpers below and the calendar, and agrees with `timeliness()` exactly.

The deadline that counts is `counted_due_on(task)`: `missed_due_on` when the office corrected a
deadline the task had already missed (it stays late against that one), else `due_on`. In SQL it is
spelled `COALESCE(missed_due_on, due_on)` everywhere, so one expression index serves it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from tasks.calendar import WorkingCalendar
from tasks.errors import N_
from tasks.state import ALL_STATES, STOPPED, TaskState

DEFAULT_DUE_SOON_DAYS = 3

# Kept for callers written before tasks.state: the same groups.
STATES = ALL_STATES
STOPPED_STATES = STOPPED


class Timeliness(StrEnum):
    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"
    DUE_SOON = "due_soon"
    ON_TRACK = "on_track"
    OVERDUE = "overdue"
    NO_DEADLINE = "no_deadline"


# What a person reads for each verdict (pages, exports); "stopped" for a paused or cancelled task,
# which has none.
TIMELINESS_LABELS = {
    "overdue": N_("Overdue"), "due_soon": N_("Due soon"), "on_track": N_("On track"), "no_deadline": N_("No deadline"),
    "done_late": N_("Done late"), "done_on_time": N_("Done on time"), "stopped": N_("Paused or cancelled"),
}
# A submitted task is finished on the division's side: it reads as submitted in time or late.
SUBMITTED_LABELS = {"on_track": N_("Submitted in time"), "overdue": N_("Submitted late")}


def timeliness_label(code: str | None, state: str | None = None) -> str:
    """The msgid of a timeliness badge (pages, exports); a submitted task's (never "due soon") says it was submitted."""
    if state == TaskState.SUBMITTED and code in SUBMITTED_LABELS:
        return SUBMITTED_LABELS[code]
    return TIMELINESS_LABELS.get(code or "stopped", code or "")


class HasDeadline(Protocol):
    """Anything with these attributes: a Task row, a dataclass, TaskDates. It may also have
    `missed_due_on` (read with getattr, so objects without it keep working): the deadline that
    counts when set (see counted_due_on)."""

    # Read-only properties so that frozen dataclasses satisfy the protocol too.
    @property
    def state(self) -> str: ...

    @property
    def due_on(self) -> date | None: ...

    @property
    def completed_on(self) -> date | None: ...


@dataclass(frozen=True)
class TaskDates:
    """The fields timeliness needs, for callers holding a dict or a query row."""

    state: str
    due_on: date | None
    completed_on: date | None = None
    missed_due_on: date | None = None


def counted_due_on(task: HasDeadline) -> date | None:
    """The deadline timeliness counts against: `missed_due_on` when set (a deadline the task had
    already missed when the office corrected it, so it stays counted late), else `due_on`.
    SQL: `COALESCE(missed_due_on, due_on)`."""
    missed = getattr(task, "missed_due_on", None)
    return task.due_on if missed is None else missed


def effective_due_on(task: HasDeadline, calendar: WorkingCalendar) -> date | None:
    """The counted deadline (`missed_due_on`, else `due_on`) moved forward to a working day
    (Civil Code 2015, art. 148), or None without a deadline."""
    counted = counted_due_on(task)
    return None if counted is None else calendar.effective_due(counted)


def timeliness(
    task: HasDeadline,
    now: datetime,
    calendar: WorkingCalendar,
    due_soon_days: int = DEFAULT_DUE_SOON_DAYS,
) -> Timeliness | None:
    """The timeliness code of `task` at the instant `now` (timezone-aware).

    None for a paused or cancelled task: those were stopped by a leader's decision and are left out
    of completion rates and escalation. A submitted task is judged as of the day the division
    submitted it (`completed_on`), so the office's time to confirm cannot make it overdue; it is
    overdue or on track, never due soon (its work is finished). A task
    is overdue from 00:00 province time of the day after its effective due date; due soon covers
    0 (due today) up to `due_soon_days` working days left. Every comparison is against the effective
    date of the counted deadline: `missed_due_on` when set, else `due_on` (see counted_due_on).
    """
    if task.state not in ALL_STATES:
        raise ValueError(f"unknown task state: {task.state!r}")
    if task.state in STOPPED:
        return None
    if due_soon_days < 0:
        raise ValueError("due_soon_days must not be negative")
    reference = _reference_day(task, now, calendar)
    due = effective_due_on(task, calendar)
    if task.state == TaskState.DONE:
        if due is None:
            return Timeliness.DONE_ON_TIME
        if task.completed_on is None:
            raise ValueError("a done task with a deadline needs completed_on")
        return Timeliness.DONE_ON_TIME if task.completed_on <= due else Timeliness.DONE_LATE
    if due is None:
        return Timeliness.NO_DEADLINE
    if reference > due:
        return Timeliness.OVERDUE
    if task.state == TaskState.SUBMITTED:
        # Submitted in time: nothing is left to do before the deadline (it waits for the office),
        # so it is on track, never "due soon".
        return Timeliness.ON_TRACK
    if calendar.working_days_between(reference, due) <= due_soon_days:
        return Timeliness.DUE_SOON
    return Timeliness.ON_TRACK


def working_days_overdue(task: HasDeadline, now: datetime, calendar: WorkingCalendar) -> int:
    """Working days past the effective due date of the counted deadline (`missed_due_on` when set),
    0 unless the task is OVERDUE.

    Counted up to the same reference day timeliness() uses (the submission day for a submitted
    task). It can be 0 while overdue: a task due on Friday is overdue on Saturday, but no working
    day has been lost yet.
    """
    if timeliness(task, now, calendar) is not Timeliness.OVERDUE:
        return 0
    due = effective_due_on(task, calendar)
    assert due is not None  # OVERDUE implies a deadline
    return calendar.working_days_between(due, _reference_day(task, now, calendar))


def overdue_cutoff(today: date, calendar: WorkingCalendar) -> date:
    """The latest counted deadline of an overdue open/in-progress task on `today` (province date).

    Such a task is OVERDUE exactly when `counted_due_on(task) <= overdue_cutoff(today)` (in SQL
    `COALESCE(missed_due_on, due_on) <= cutoff`), because effective_due is monotone and the cutoff
    is itself a working day; so SQL may filter on it and get exactly what timeliness() would say.
    The same holds for any reference day: a submitted task is judged as of completed_on, a done one
    is late exactly when it would have been overdue on the day it was completed.
    """
    return calendar.previous_working_day(today)


def due_soon_cutoff(today: date, calendar: WorkingCalendar, due_soon_days: int = DEFAULT_DUE_SOON_DAYS) -> date:
    """The latest counted deadline of a due-soon open/in-progress task on `today` (province date).

    Such a task is DUE_SOON exactly when it is not overdue (counted deadline > overdue_cutoff(today))
    and counted deadline <= due_soon_cutoff(today); SQL may filter on that range and agree with
    timeliness().
    """
    if due_soon_days < 0:
        raise ValueError("due_soon_days must not be negative")
    if due_soon_days == 0 and not calendar.is_working(today):
        # Nothing can be due "today" on a day off; an empty range (cutoff <= overdue cutoff) says so.
        return calendar.previous_working_day(today)
    return calendar.add_working_days(today, due_soon_days)


def _reference_day(task: HasDeadline, now: datetime, calendar: WorkingCalendar) -> date:
    # Always read `now` through the calendar so a naive datetime is refused in every state.
    today = calendar.today(now)
    if task.state == TaskState.SUBMITTED and task.completed_on is not None:
        return task.completed_on
    return today
