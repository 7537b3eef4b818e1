"""The task lifecycle (DESIGN §3): progress, submission, confirmation, return, pause, cancel,
reassignment and office correction. Each call is one transaction with its audit event."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Awaitable, Callable

from piccolo.engine.base import Engine

from tasks.audit import changed_only, refuse, write_event
from tasks.calendar import WorkingCalendar
from tasks.db import transaction
from tasks.errors import N_, Conflict, Invalid, NotFound
from tasks.people import division_ids_by_code
from tasks.permissions import Actor, Role, can_report_progress, can_view_task, is_leader, is_office, leads_task
from tasks.register import user_id_with_role
from tasks.tables import ProgressReport, Task, TaskSupport

OPEN_STATES = ("open", "in_progress")
TRACKED_FIELDS = (
    "title", "description", "lead_division", "leader_in_charge", "assignee", "due_on", "deadline_version",
    "state", "state_reason", "percent", "completed_on", "priority", "starred",
)


async def support_division_ids(task_id: int) -> list[int]:
    rows = await TaskSupport.select(TaskSupport.division).where(TaskSupport.task == task_id).run()
    return sorted(r["division"] for r in rows)


async def load_task(task_id: int) -> tuple[dict, list[int]]:
    row = await Task.select().where(Task.id == task_id).first().run()
    if row is None:
        raise NotFound(N_("No task {value}."), value=task_id)
    return row, await support_division_ids(task_id)


def snapshot(row: dict, supports: list[int] | None = None) -> dict[str, Any]:
    snap = {k: row[k] for k in TRACKED_FIELDS}
    if supports is not None:
        snap["support_divisions"] = supports
    return snap


Check = Callable[[Actor, dict, list[int]], bool]


async def _change(
    engine: Engine,
    actor: Actor,
    now: datetime,
    task_id: int,
    action: str,
    allowed: Check,
    refusal: str,
    apply: Callable[[dict, list[int]], Awaitable[dict[str, Any]]],
    note: str = "",
) -> dict:
    """Load, authorise, apply and audit one change to a task, all in one transaction."""
    row, supports = await load_task(task_id)
    if not allowed(actor, row, supports):
        raise await refuse(actor, now, action, "task", task_id, refusal, task_id=task_id)
    async with transaction(engine):
        row, supports = await load_task(task_id)  # again, inside the lock: the state may have moved
        values = await apply(row, supports)
        new_supports = values.pop("_supports", supports)
        if values:
            values["updated_at"] = now
            await Task.update({getattr(Task, k): v for k, v in values.items()}).where(Task.id == task_id).run()
        after_row = {**row, **values}
        before, after = changed_only(snapshot(row, supports), snapshot(after_row, new_supports))
        await write_event(actor=actor, at=now, action=action, entity_type="task", entity_id=task_id, task_id=task_id, before=before, after=after, note=note)
    return after_row


STATE_LABELS = {
    "open": N_("newly assigned"),
    "in_progress": N_("in progress"),
    "submitted": N_("submitted, awaiting confirmation"),
    "done": N_("done"),
    "paused": N_("paused"),
    "cancelled": N_("cancelled"),
}


def _require_state(row: dict, states: tuple[str, ...], message: str) -> None:
    if row["state"] not in states:
        raise Conflict(message, state=STATE_LABELS[row["state"]])


async def report_progress(engine: Engine, actor: Actor, now: datetime, task_id: int, percent: int, note: str) -> dict:
    """A supporting division's report is kept in the record; the task's percent and state follow
    the lead division's reports only."""
    if not 0 <= percent <= 100:
        raise Invalid(N_("Percent must be between 0 and 100."), fields={"percent": N_("Out of range")})
    if not note.strip():
        raise Invalid(N_("Say what was done."), fields={"note": N_("Required")})

    async def apply(row: dict, supports: list[int]) -> dict:
        _require_state(row, OPEN_STATES, N_("Progress can only be reported on a task in progress (it is {state})."))
        await ProgressReport.insert(
            ProgressReport(task=task_id, division=actor.division_id, author=actor.id, percent=percent, note=note, reported_at=now)
        ).run()
        if not leads_task(actor, row["lead_division"]):
            return {}
        return {"percent": percent, "state": "in_progress"}

    return await _change(
        engine, actor, now, task_id, "report_progress",
        lambda a, r, s: can_report_progress(a, r["lead_division"], s),
        N_("Only the lead or a supporting division may report progress on this task."),
        apply, note=note,
    )


async def submit(engine: Engine, actor: Actor, now: datetime, calendar: WorkingCalendar, task_id: int, note: str, completed_on: date | None) -> dict:
    today = calendar.today(now)
    completed = completed_on or today
    if completed > today:
        raise Invalid(N_("The completion date cannot be in the future."), fields={"completed_on": N_("In the future")})

    async def apply(row: dict, supports: list[int]) -> dict:
        _require_state(row, OPEN_STATES, N_("Only a task in progress can be submitted as done (it is {state})."))
        if completed < row["created_at"].astimezone(calendar.timezone).date():
            raise Invalid(N_("The completion date is before the task was created."), fields={"completed_on": N_("Too early")})
        await ProgressReport.insert(
            ProgressReport(task=task_id, division=actor.division_id, author=actor.id, percent=100, note=note, reported_at=now)
        ).run()
        return {"state": "submitted", "percent": 100, "completed_on": completed}

    return await _change(
        engine, actor, now, task_id, "submit",
        lambda a, r, s: leads_task(a, r["lead_division"]),
        N_("Only the lead division may submit this task as done."),
        apply, note=note,
    )


async def confirm(engine: Engine, actor: Actor, now: datetime, task_id: int) -> dict:
    async def apply(row: dict, supports: list[int]) -> dict:
        _require_state(row, ("submitted",), N_("Only a submitted task can be confirmed (it is {state})."))
        return {"state": "done"}

    return await _change(engine, actor, now, task_id, "confirm", lambda a, r, s: is_office(a),
                         N_("Only the office may confirm completion."), apply)


async def return_task(engine: Engine, actor: Actor, now: datetime, task_id: int, reason: str) -> dict:
    _require_reason(reason)

    async def apply(row: dict, supports: list[int]) -> dict:
        _require_state(row, ("submitted",), N_("Only a submitted task can be returned (it is {state})."))
        return {"state": "in_progress", "completed_on": None, "state_reason": reason}

    return await _change(engine, actor, now, task_id, "return", lambda a, r, s: is_office(a),
                         N_("Only the office may return a submitted task."), apply, note=reason)


def _require_reason(reason: str) -> None:
    if not reason.strip():
        raise Invalid(N_("Give a reason."), fields={"reason": N_("Required")})


async def pause(engine: Engine, actor: Actor, now: datetime, task_id: int, reason: str) -> dict:
    _require_reason(reason)

    async def apply(row: dict, supports: list[int]) -> dict:
        _require_state(row, (*OPEN_STATES, "submitted"), N_("Only an unfinished task can be paused (it is {state})."))
        return {"state": "paused", "state_reason": reason}

    return await _change(engine, actor, now, task_id, "pause", lambda a, r, s: is_leader(a),
                         N_("Only a leader may pause a task."), apply, note=reason)


async def resume(engine: Engine, actor: Actor, now: datetime, task_id: int, reason: str) -> dict:
    _require_reason(reason)

    async def apply(row: dict, supports: list[int]) -> dict:
        _require_state(row, ("paused",), N_("Only a paused task can be resumed (it is {state})."))
        return {"state": "in_progress" if row["percent"] > 0 else "open", "state_reason": reason, "completed_on": None}

    return await _change(engine, actor, now, task_id, "resume", lambda a, r, s: is_leader(a),
                         N_("Only a leader may resume a task."), apply, note=reason)


async def cancel(engine: Engine, actor: Actor, now: datetime, task_id: int, reason: str) -> dict:
    _require_reason(reason)

    async def apply(row: dict, supports: list[int]) -> dict:
        _require_state(row, (*OPEN_STATES, "submitted", "paused"), N_("Only an unfinished task can be cancelled (it is {state})."))
        return {"state": "cancelled", "state_reason": reason}

    return await _change(engine, actor, now, task_id, "cancel", lambda a, r, s: is_leader(a),
                         N_("Only a leader may cancel a task."), apply, note=reason)


async def assign(
    engine: Engine, actor: Actor, now: datetime, task_id: int, *,
    lead_division: str, support_divisions: list[str], leader_in_charge: str | None, assignee: str | None,
) -> dict:
    async def apply(row: dict, supports: list[int]) -> dict:
        _require_state(row, (*OPEN_STATES, "submitted", "paused"), N_("A finished task cannot be reassigned (it is {state})."))
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

    return await _change(engine, actor, now, task_id, "assign", lambda a, r, s: is_office(a),
                         N_("Only the office may assign tasks."), apply)


async def correct(engine: Engine, actor: Actor, now: datetime, task_id: int, reason: str, changes: dict[str, Any]) -> dict:
    """An office correction of a recording mistake (title, description, deadline, priority).
    A deadline change here bumps the deadline version, like an approved extension."""
    _require_reason(reason)
    allowed = {"title", "description", "due_on", "priority", "starred"}
    unknown = set(changes) - allowed
    if unknown:
        raise Invalid(N_("These fields cannot be corrected here: {value}"), value=", ".join(sorted(unknown)))
    if "title" in changes and not str(changes["title"]).strip():
        raise Invalid(N_("A task needs a title."), fields={"title": N_("Required")})

    async def apply(row: dict, supports: list[int]) -> dict:
        _require_state(row, (*OPEN_STATES, "submitted", "paused", "done"), N_("A cancelled task cannot be corrected (it is {state})."))
        values = {k: v for k, v in changes.items() if row[k] != v}
        if "due_on" in values:
            values["deadline_version"] = row["deadline_version"] + 1
        return values

    return await _change(engine, actor, now, task_id, "correct", lambda a, r, s: is_office(a),
                         N_("Only the office may correct a task."), apply, note=reason)


async def set_starred(engine: Engine, actor: Actor, now: datetime, task_id: int, starred: bool) -> dict:
    async def apply(row: dict, supports: list[int]) -> dict:
        return {"starred": starred} if row["starred"] != starred else {}

    return await _change(engine, actor, now, task_id, "star" if starred else "unstar",
                         lambda a, r, s: is_leader(a) or is_office(a),
                         N_("Only a leader or the office may star a task."), apply)


def viewer_may_see(actor: Actor, row: dict, supports: list[int]) -> bool:
    return can_view_task(actor, row["lead_division"], supports)
