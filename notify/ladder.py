"""The escalation ladder (DESIGN §5) as data, and the pure rules that decide what is due.

A rule fires on the working day `offset` working days from the task's effective due date (negative
before it, 0 on it). At any moment a task is owed at most one rule: the highest one it has reached,
if nothing as high was already sent for this deadline. So a pass missed while the service was down
catches up with one mail per task, not a burst, and an extension (new deadline_version) starts the
ladder afresh.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Iterable, Protocol

from tasks.calendar import WorkingCalendar
from tasks.state import URGED

# Who a rule writes to. "lead_head": every active head of the lead division; "office": every active
# office user; "director": the leader chosen by the admin (see notify.config).
RECIPIENT_KINDS = ("lead_head", "assignee", "leader_in_charge", "director", "office")
URGED_STATES = URGED
MAX_OFFSET = 60
DEFAULT_CATCH_UP_DAYS = 10


@dataclass(frozen=True)
class Rule:
    name: str
    offset: int  # working days relative to the effective due date
    to: tuple[str, ...]
    cc: tuple[str, ...] = ()


@dataclass(frozen=True)
class WorkingHours:
    start: time = time(7, 30)
    end: time = time(17, 0)

    def contains(self, now: datetime, calendar: WorkingCalendar) -> bool:
        """True when `now` (aware) falls in the window on a working day, province time."""
        local = now.astimezone(calendar.timezone)
        return calendar.is_working(local.date()) and self.start <= local.time().replace(tzinfo=None) < self.end


@dataclass(frozen=True)
class Ladder:
    rules: tuple[Rule, ...]
    hours: WorkingHours = field(default_factory=WorkingHours)
    # A rule reached more than this many working days ago is not sent late (the weekly digest
    # still lists the task): it bounds catch-up after a long outage and the planning query.
    catch_up_days: int = DEFAULT_CATCH_UP_DAYS

    def __post_init__(self) -> None:
        object.__setattr__(self, "rules", tuple(sorted(self.rules, key=lambda r: r.offset)))

    def rule(self, name: str) -> Rule | None:
        return next((r for r in self.rules if r.name == name), None)


DEFAULT_LADDER = Ladder(
    rules=(
        Rule("remind_7", -7, ("lead_head", "assignee")),
        Rule("remind_3", -3, ("lead_head", "assignee")),
        Rule("remind_1", -1, ("lead_head", "assignee")),
        Rule("due_today", 0, ("lead_head",)),
        Rule("overdue_1", 1, ("lead_head",), ("office",)),
        Rule("overdue_3", 3, ("leader_in_charge",), ("lead_head",)),
        Rule("overdue_7", 7, ("director",), ("leader_in_charge",)),
    )
)


class LadderTask(Protocol):
    @property
    def state(self) -> str: ...

    @property
    def due_on(self) -> date | None: ...


def fire_day(rule: Rule, effective_due: date, calendar: WorkingCalendar) -> date:
    """The working day on which `rule` falls due for a task effectively due on `effective_due`."""
    return calendar.add_working_days(effective_due, rule.offset)


def due_rules(
    task: LadderTask, now: datetime, calendar: WorkingCalendar, ladder: Ladder, already_sent: Iterable[str]
) -> list[Rule]:
    """The rules to send for `task` at `now`: none, or the single highest rule reached today.

    `already_sent` names the rules already in the outbox for the task's current deadline_version.
    Only open and in-progress tasks with a deadline are urged (done, submitted, paused and cancelled
    ones get nothing). Nothing is due on a day off.
    """
    if task.state not in URGED_STATES or task.due_on is None or not ladder.rules:
        return []
    today = calendar.today(now)
    if not calendar.is_working(today):
        return []
    due = calendar.effective_due(task.due_on)
    reached = [r for r in ladder.rules if fire_day(r, due, calendar) <= today]
    if not reached:
        return []
    highest = reached[-1]
    sent_offsets = [r.offset for r in ladder.rules if r.name in set(already_sent)]
    if sent_offsets and max(sent_offsets) >= highest.offset:
        return []
    if calendar.working_days_between(fire_day(highest, due, calendar), today) > ladder.catch_up_days:
        return []
    return [highest]


def due_on_window(today: date, calendar: WorkingCalendar, ladder: Ladder) -> tuple[date, date] | None:
    """(after, until): every task `due_rules` can return something for on `today` has
    `after < due_on <= until`, so the planning query need not look at any other task.

    The latest effective due date with a rule reached is `today` moved back by the lowest offset;
    the earliest is `today` moved back by the highest offset and the catch-up horizon. Because
    effective_due is monotone and both bounds are working days, the bounds on `due_on` are exact.
    """
    if not ladder.rules or not calendar.is_working(today):
        return None
    lowest, highest = ladder.rules[0].offset, ladder.rules[-1].offset
    until = calendar.add_working_days(today, -lowest) if lowest else today
    earliest = calendar.add_working_days(today, -(highest + ladder.catch_up_days)) if highest + ladder.catch_up_days else today
    return calendar.previous_working_day(earliest), until
