"""Extension requests (xin gia hạn): the lead division's head asks for a new deadline before the
one in force passes; the leader in charge (or the director) approves or refuses it, a refusal
with a reason. Approval moves due_on, bumps deadline_version and keeps the original deadline.
Both run under the task's row lock (tasks.lifecycle.locked), so one request can be pending and
one decision can win."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum


from tasks.audit import write_event
from tasks.calendar import WorkingCalendar
from tasks.dates import check_date, format_date
from tasks.errors import N_, Conflict, Invalid, NotFound
from tasks.lifecycle import locked
from tasks.permissions import Actor
from tasks.state import Action
from tasks.db import Db
from tasks.tables import ExtensionRequest, Task


class ExtensionState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


def request_deadline(due_on: date, calendar: WorkingCalendar, notice_days: int) -> date:
    """The last day on which an extension of a task due on `due_on` may be asked for: the
    effective due date itself, or `notice_days` working days before it."""
    effective = calendar.effective_due(due_on)
    return calendar.add_working_days(effective, -notice_days) if notice_days else effective


async def request_extension(
    db: Db, actor: Actor, now: datetime, calendar: WorkingCalendar, task_id: int, requested_due_on: date, reason: str,
    notice_days: int = 0,
) -> dict:
    if not reason.strip():
        raise Invalid(N_("Give a reason."), fields={"reason": N_("Required")})
    check_date(requested_due_on, "requested_due_on")
    today = calendar.today(now)
    async with locked(db, actor, now, task_id, Action.REQUEST_EXTENSION) as (row, supports, facts):
        if row["due_on"] is None:
            raise Conflict(N_("This task has no deadline to extend."))
        if row["missed_due_on"] is not None or today > request_deadline(row["due_on"], calendar, notice_days):
            raise Conflict(
                N_("An extension must be asked for before the deadline passes ({value}); now only the office can correct the deadline, and the task stays counted as late."),
                value=format_date(request_deadline(row["due_on"], calendar, notice_days)),
            )
        if requested_due_on <= row["due_on"]:
            raise Invalid(N_("The new deadline must be after the current one ({value})."), fields={"requested_due_on": N_("Not after the current deadline")}, value=format_date(row["due_on"]))
        if requested_due_on <= today:
            raise Invalid(N_("The new deadline must be in the future."), fields={"requested_due_on": N_("Not in the future")})
        if await ExtensionRequest.exists().where((ExtensionRequest.task == task_id) & (ExtensionRequest.state == ExtensionState.PENDING)).run():
            raise Conflict(N_("An extension request for this task is already waiting for a decision."))
        ext = (
            await ExtensionRequest.insert(
                ExtensionRequest(
                    task=task_id, requested_by=actor.id, previous_due_on=row["due_on"], requested_due_on=requested_due_on,
                    reason=reason, state=ExtensionState.PENDING, created_at=now,
                )
            ).returning(*ExtensionRequest.all_columns()).run()
        )[0]
        await write_event(actor=actor, at=now, action=Action.REQUEST_EXTENSION.value, entity_type="extension", entity_id=ext["id"], task_id=task_id,
                          before=None, after={"requested_due_on": requested_due_on, "previous_due_on": row["due_on"], "state": ExtensionState.PENDING}, note=reason)
    return ext


async def decide_extension(db: Db, actor: Actor, now: datetime, extension_id: int, approve: bool, note: str) -> dict:
    if not approve and not note.strip():
        raise Invalid(N_("Say why the extension is refused."), fields={"note": N_("Required")})
    ext = await ExtensionRequest.select(ExtensionRequest.task).where(ExtensionRequest.id == extension_id).first().run()
    if ext is None:
        raise NotFound(N_("No extension request {value}."), value=extension_id)
    # A refusal closes a request whatever became of the task; an approval needs it still running.
    async with locked(db, actor, now, ext["task"], Action.DECIDE_EXTENSION, check_transition=approve) as (task, supports, facts):
        decided = {"state": ExtensionState.APPROVED if approve else ExtensionState.REFUSED, "decided_by": actor.id,
                   "decided_at": now, "decision_note": note}
        # Conditional on the request still pending: of two decisions, the second changes nothing.
        changed = await ExtensionRequest.update({getattr(ExtensionRequest, k): v for k, v in decided.items()}).where(
            (ExtensionRequest.id == extension_id) & (ExtensionRequest.state == ExtensionState.PENDING)
        ).returning(*ExtensionRequest.all_columns()).run()
        if not changed:
            raise Conflict(N_("This extension request has already been decided."))
        request = changed[0]
        before, after = {"state": ExtensionState.PENDING}, {"state": decided["state"]}
        if approve:
            # One event for the whole decision: the request closes and the deadline moves together.
            moved = {"due_on": request["requested_due_on"], "deadline_version": task["deadline_version"] + 1}
            await Task.update({Task.due_on: moved["due_on"], Task.deadline_version: moved["deadline_version"], Task.updated_at: now}).where(
                Task.id == task["id"]).run()
            before |= {"due_on": task["due_on"], "deadline_version": task["deadline_version"]}
            after |= moved
        await write_event(actor=actor, at=now, action="approve_extension" if approve else "refuse_extension", entity_type="extension",
                          entity_id=extension_id, task_id=task["id"], before=before, after=after, note=note)
    return request
