"""The task lifecycle (DESIGN §3): progress, submission, confirmation, return, pause, cancel,
reassignment and office correction. Each call is one transaction that holds the task's row lock
from the first read to the audit event, so two app instances can never both win a change."""

from __future__ import annotations

import contextlib
from datetime import date, datetime
from typing import Any, AsyncIterator, Awaitable, Callable


from tasks.audit import changed_only, refuse, write_event
from tasks.authority import TaskFacts, director_id, is_lead_report, may
from tasks.calendar import WorkingCalendar
from tasks.db import Db
from tasks.errors import N_, Conflict, Invalid, NotFound
from tasks.accounts import division_ids_by_code
from tasks.permissions import Actor, Role
from tasks.register import user_id_with_role
from tasks.search import task_search
from tasks.state import COMPLETED, STATE_LABELS, TRANSITIONS, Action, TaskState, allows, state_after
from tasks.tables import ProgressReport, Task, TaskSupport

TRACKED_FIELDS = (
    "title", "description", "lead_division", "leader_in_charge", "assignee", "due_on", "missed_due_on", "deadline_version",
    "state", "state_reason", "percent", "completed_on", "priority", "starred",
)

REFUSALS = {
    Action.REPORT_PROGRESS: N_("Only the lead or a supporting division may report progress on this task."),
    Action.SUBMIT: N_("Only the lead division may submit this task as done."),
    Action.CONFIRM: N_("Only the office may confirm completion."),
    Action.RETURN: N_("Only the office may return a submitted task."),
    Action.PAUSE: N_("Only a leader may pause a task."),
    Action.RESUME: N_("Only a leader may resume a task."),
    Action.CANCEL: N_("Only a leader may cancel a task."),
    Action.ASSIGN: N_("Only the office may assign tasks."),
    Action.CORRECT: N_("Only the office may correct a task."),
    Action.REOPEN: N_("Only the office may reopen a task."),
    Action.STAR: N_("Only a leader or the office may star a task."),
    Action.REQUEST_EXTENSION: N_("Only the lead division may ask for an extension."),
    Action.DECIDE_EXTENSION: N_("Only the leader in charge of this task, or the director, may decide on its extension."),
}


async def support_division_ids(task_id: int) -> list[int]:
    rows = await TaskSupport.select(TaskSupport.division).where(TaskSupport.task == task_id).run()
    return sorted(r["division"] for r in rows)


async def load_task(task_id: int) -> tuple[dict, list[int]]:
    row = await Task.select().where(Task.id == task_id).first().run()
    if row is None:
        raise NotFound(N_("No task {value}."), value=task_id)
    return row, await support_division_ids(task_id)


async def lock_task(db: Db, task_id: int) -> tuple[dict, list[int]]:
    """The task as it is now, locked until the transaction ends: `FOR UPDATE` on PostgreSQL; on
    SQLite the transaction already holds the database's write lock (BEGIN IMMEDIATE)."""
    query = Task.select().where(Task.id == task_id)
    if not db.is_sqlite:
        query = query.lock_rows("UPDATE")
    row = await query.first().run()
    if row is None:
        raise NotFound(N_("No task {value}."), value=task_id)
    return row, await support_division_ids(task_id)


def snapshot(row: dict, supports: list[int] | None = None) -> dict[str, Any]:
    snap = {k: row[k] for k in TRACKED_FIELDS}
    if supports is not None:
        snap["support_divisions"] = supports
    return snap


class _Refused(Exception):
    """Raised inside the transaction so that it rolls back; the refusal is audited after it."""

    def __init__(self, action: Action) -> None:
        self.action = action


@contextlib.asynccontextmanager
async def locked(db: Db, actor: Actor, now: datetime, task_id: int, action: Action, *,
                 expected_state: str | None = None, check_transition: bool = True) -> AsyncIterator[tuple[dict, list[int], TaskFacts]]:
    """One change to a task: in one transaction, lock the row, check the actor's right and that the
    task is still in a state the action starts from (and in `expected_state`, the state the
    client saw), then let the caller write. A refusal (403) is audited in its own write, since
    the refused change is not made; a lost race answers 409 saying what the task is now."""
    try:
        async with db.transaction():
            row, supports = await lock_task(db, task_id)
            director = await director_id() if action is Action.DECIDE_EXTENSION else None
            facts = TaskFacts.of(row, supports, director)
            if not may(actor, action, facts):
                raise _Refused(action)
            check_state(row["state"], action if check_transition else None, expected_state)
            yield row, supports, facts
    except _Refused as refused:
        raise await refuse(actor, now, refused.action.value, "task", task_id, REFUSALS[refused.action], task_id=task_id) from None


def check_state(state: str, action: Action | None, expected_state: str | None = None) -> None:
    if expected_state is not None:
        if expected_state not in TaskState._value2member_map_:
            raise Invalid(N_("Unknown state: {value}"), fields={"expected_state": N_("Unknown state")}, value=expected_state)
        if expected_state != state:
            raise Conflict(N_("This task was changed meanwhile: it is now {state}. Reload the page and check it before acting."),
                           state=STATE_LABELS[TaskState(state)])
    if action is not None and not allows(action, state):
        raise Conflict(TRANSITIONS[action].refusal, state=STATE_LABELS[TaskState(state)])


async def _change(
    db: Db, actor: Actor, now: datetime, task_id: int, action: Action,
    apply: Callable[[dict, list[int], TaskFacts], Awaitable[dict[str, Any]]],
    note: str = "", expected_state: str | None = None,
) -> dict:
    """Lock, authorise, apply and audit one change to a task, all in one transaction."""
    async with locked(db, actor, now, task_id, action, expected_state=expected_state) as (row, supports, facts):
        values = await apply(row, supports, facts)
        new_supports = values.pop("_supports", supports)
        if values:
            values["updated_at"] = now
            await Task.update({getattr(Task, k): v for k, v in values.items()}).where(Task.id == task_id).run()
        after_row = {**row, **values}
        before, after = changed_only(snapshot(row, supports), snapshot(after_row, new_supports))
        event = "star" if action is Action.STAR and after_row["starred"] else "unstar" if action is Action.STAR else action.value
        await write_event(actor=actor, at=now, action=event, entity_type="task", entity_id=task_id, task_id=task_id,
                          before=before, after=after, note=note)
    return after_row


async def report_progress(db: Db, actor: Actor, now: datetime, task_id: int, percent: int, note: str,
                          expected_state: str | None = None) -> dict:
    """A supporting division's report is kept in the record; the task's percent and state follow
    the lead division's reports only, so the percent is always that of its latest lead report."""
    if not 0 <= percent <= 100:
        raise Invalid(N_("Percent must be between 0 and 100."), fields={"percent": N_("Out of range")})
    if not note.strip():
        raise Invalid(N_("Say what was done."), fields={"note": N_("Required")})

    async def apply(row: dict, supports: list[int], facts: TaskFacts) -> dict:
        await ProgressReport.insert(
            ProgressReport(task=task_id, division=actor.division_id, author=actor.id, percent=percent, note=note, reported_at=now)
        ).run()
        if not is_lead_report(actor, facts):
            return {}
        return {"percent": percent, "state": state_after(Action.REPORT_PROGRESS, row["state"])}

    return await _change(db, actor, now, task_id, Action.REPORT_PROGRESS, apply, note=note, expected_state=expected_state)


async def submit(db: Db, actor: Actor, now: datetime, calendar: WorkingCalendar, task_id: int, note: str,
                 completed_on: date | None = None, expected_state: str | None = None) -> dict:
    """The completion day is the day the division submits, by the app's clock: nobody chooses it
    here (the office may correct it afterwards, with a reason)."""
    if completed_on is not None:
        raise Invalid(N_("The completion day is the day of submission and cannot be chosen; the office may correct it, with a reason."),
                      fields={"completed_on": N_("Cannot be chosen")})
    today = calendar.today(now)

    async def apply(row: dict, supports: list[int], facts: TaskFacts) -> dict:
        await ProgressReport.insert(
            ProgressReport(task=task_id, division=actor.division_id, author=actor.id, percent=100, note=note, reported_at=now)
        ).run()
        return {"state": state_after(Action.SUBMIT, row["state"]), "percent": 100, "completed_on": today}

    return await _change(db, actor, now, task_id, Action.SUBMIT, apply, note=note, expected_state=expected_state)


async def confirm(db: Db, actor: Actor, now: datetime, task_id: int, expected_state: str | None = None) -> dict:
    async def apply(row: dict, supports: list[int], facts: TaskFacts) -> dict:
        if row["completed_on"] is None:  # the database refuses it too; say it in words first
            raise Conflict(N_("This task has no completion day; the office must correct it before confirming."))
        return {"state": state_after(Action.CONFIRM, row["state"])}

    return await _change(db, actor, now, task_id, Action.CONFIRM, apply, expected_state=expected_state)


async def return_task(db: Db, actor: Actor, now: datetime, task_id: int, reason: str, expected_state: str | None = None) -> dict:
    _require_reason(reason)

    async def apply(row: dict, supports: list[int], facts: TaskFacts) -> dict:
        return {"state": state_after(Action.RETURN, row["state"]), "completed_on": None, "state_reason": reason}

    return await _change(db, actor, now, task_id, Action.RETURN, apply, note=reason, expected_state=expected_state)


def _require_reason(reason: str, field: str = "reason") -> None:
    if not reason.strip():
        raise Invalid(N_("Give a reason."), fields={field: N_("Required")})


def _reasoned(action: Action, extra: Callable[[dict], dict] = lambda row: {}):
    async def service(db: Db, actor: Actor, now: datetime, task_id: int, reason: str, expected_state: str | None = None) -> dict:
        _require_reason(reason)

        async def apply(row: dict, supports: list[int], facts: TaskFacts) -> dict:
            return {"state": state_after(action, row["state"], percent=row["percent"]), "state_reason": reason, **extra(row)}

        return await _change(db, actor, now, task_id, action, apply, note=reason, expected_state=expected_state)

    service.__name__ = action.value
    return service


pause = _reasoned(Action.PAUSE)
# A paused task had not been finished: it goes back to the division with no completion day.
resume = _reasoned(Action.RESUME, lambda row: {"completed_on": None})
cancel = _reasoned(Action.CANCEL)
# Reopened after a confirmation made by mistake: unfinished again, so no completion day.
reopen = _reasoned(Action.REOPEN, lambda row: {"completed_on": None})


async def assign(
    db: Db, actor: Actor, now: datetime, task_id: int, *,
    lead_division: str, support_divisions: list[str], leader_in_charge: str | None, assignee: str | None, note: str = "",
) -> dict:
    async def apply(row: dict, supports: list[int], facts: TaskFacts) -> dict:
        lead = await division_ids_by_code([lead_division], "lead_division")
        support_ids = await division_ids_by_code(support_divisions, "support_divisions")
        if lead_division in support_ids:
            raise Invalid(N_("The lead division cannot also be a supporting division."), fields={"support_divisions": N_("Contains the lead division")})
        await TaskSupport.delete().where(TaskSupport.task == task_id).run()
        for division_id in sorted(set(support_ids.values())):
            await TaskSupport.insert(TaskSupport(task=task_id, division=division_id)).run()
        return {
            "lead_division": lead[lead_division],
            "leader_in_charge": await user_id_with_role(leader_in_charge, (Role.LEADER,), "leader_in_charge"),
            "assignee": await user_id_with_role(assignee, (Role.HEAD,), "assignee"),
            "_supports": sorted(set(support_ids.values())),
        }

    return await _change(db, actor, now, task_id, Action.ASSIGN, apply, note=note)


CORRECTABLE = {"title", "description", "due_on", "priority", "completed_on"}


async def correct(db: Db, actor: Actor, now: datetime, calendar: WorkingCalendar, task_id: int, reason: str,
                  changes: dict[str, Any]) -> dict:
    """An office correction of a recording mistake (title, description, deadline, priority, the
    completion day of a submitted or done task). A deadline change bumps the deadline version,
    like an approved extension; moving a deadline the task has already missed keeps the missed one
    (`missed_due_on`), so the figures go on counting the task late against it."""
    _require_reason(reason)
    unknown = set(changes) - CORRECTABLE
    if unknown:
        raise Invalid(N_("These fields cannot be corrected here: {value}"), value=", ".join(sorted(unknown)))
    if "title" in changes and not str(changes["title"]).strip():
        raise Invalid(N_("A task needs a title."), fields={"title": N_("Required")})
    today = calendar.today(now)

    async def apply(row: dict, supports: list[int], facts: TaskFacts) -> dict:
        values = {k: v for k, v in changes.items() if row[k] != v}
        if "title" in values or "description" in values:
            values["search"] = await task_search({**row, **values})
        if "completed_on" in values:
            _check_completion_day(row, values["completed_on"], today, calendar)
        if "due_on" in values:
            values["deadline_version"] = row["deadline_version"] + 1
            missed = missed_deadline(row, today, calendar)
            if missed is not None:
                new = values["due_on"]
                values["missed_due_on"] = missed if new is None else min(missed, new)
        return values

    return await _change(db, actor, now, task_id, Action.CORRECT, apply, note=reason)


async def edit(db: Db, actor: Actor, now: datetime, calendar: WorkingCalendar, task_id: int, reason: str,
               changes: dict[str, Any], assignment: dict[str, Any] | None = None) -> dict:
    """The office's edit of a task on its page: a correction (`changes`, as `correct` takes them)
    and a reassignment (`assignment`, as `assign` takes it) in one transaction, each its own
    audited event carrying the reason, so the record never holds half of an edit. The right is
    checked (and a refusal audited) before the transaction, which a refusal inside would roll back."""
    await check_may_edit(actor, now, task_id)
    _require_reason(reason)
    if not changes and assignment is None:
        raise Invalid(N_("Nothing was changed."))
    async with db.transaction():
        if changes:
            row = await correct(db, actor, now, calendar, task_id, reason, changes)
        if assignment is not None:
            row = await assign(db, actor, now, task_id, **assignment, note=reason)
    return row


async def check_may_edit(actor: Actor, now: datetime, task_id: int) -> None:
    """Refuse (403, audited) whoever may not correct and reassign this task."""
    row, supports = await load_task(task_id)
    for action in (Action.CORRECT, Action.ASSIGN):
        if not may(actor, action, TaskFacts.of(row, supports)):
            raise await refuse(actor, now, action.value, "task", task_id, REFUSALS[action], task_id=task_id)


def missed_deadline(row: dict, today: date, calendar: WorkingCalendar) -> date | None:
    """The deadline that counts (an earlier missed one, else due_on) when the task has already
    missed it: as of its completion day once the division said it was done, else as of today."""
    counted = row["missed_due_on"] if row["missed_due_on"] is not None else row["due_on"]
    if counted is None:
        return None
    reference = row["completed_on"] if row["state"] in COMPLETED and row["completed_on"] is not None else today
    return counted if calendar.effective_due(counted) < reference else None


def _check_completion_day(row: dict, completed_on: date | None, today: date, calendar: WorkingCalendar) -> None:
    if row["state"] not in COMPLETED:
        raise Conflict(N_("Only a submitted or done task has a completion day to correct (it is {state})."),
                       state=STATE_LABELS[TaskState(row["state"])])
    if completed_on is None:
        raise Invalid(N_("A finished task needs its completion day."), fields={"completed_on": N_("Required")})
    if completed_on > today:
        raise Invalid(N_("The completion date cannot be in the future."), fields={"completed_on": N_("In the future")})
    if completed_on < row["created_at"].astimezone(calendar.timezone).date():
        raise Invalid(N_("The completion date is before the task was created."), fields={"completed_on": N_("Too early")})


async def set_starred(db: Db, actor: Actor, now: datetime, task_id: int, starred: bool) -> dict:
    async def apply(row: dict, supports: list[int], facts: TaskFacts) -> dict:
        return {"starred": starred} if row["starred"] != starred else {}

    return await _change(db, actor, now, task_id, Action.STAR, apply)
